# Data lives in these: destroying or replacing one loses it. A failure here needs the set's
# owners to override it in Slack, with a reason.
package terraform.stateful

import rego.v1

stateful_types := {
	"aws_db_instance",
	"aws_rds_cluster",
	"aws_dynamodb_table",
	"aws_s3_bucket",
	"aws_efs_file_system",
	"aws_elasticache_replication_group",
	"aws_ebs_volume",
	"aws_kms_key",
}

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	rc.type in stateful_types
	"delete" in rc.change.actions
	verb := replaced_or_destroyed(rc.change.actions)
	msg := sprintf("%s would be %s: it holds data", [rc.address, verb])
	ja := sprintf("%s が%s（データを持つリソースです）", [rc.address, ja_verb(rc.change.actions)])
}

replaced_or_destroyed(actions) := "replaced" if "create" in actions
else := "destroyed"

ja_verb(actions) := "置き換えられます" if "create" in actions
else := "削除されます"
