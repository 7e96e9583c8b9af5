# No bucket readable or writable by the world.
package terraform.s3

import rego.v1

public_acls := {"public-read", "public-read-write", "authenticated-read"}

after(rc) := rc.change.after if rc.change.after != null

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	rc.type in {"aws_s3_bucket_acl", "aws_s3_bucket"}
	acl := after(rc).acl
	acl in public_acls
	msg := sprintf("%s makes the bucket %s", [rc.address, acl])
	ja := sprintf("%s でバケットが %s になります", [rc.address, acl])
}

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	rc.type == "aws_s3_bucket_public_access_block"
	some setting in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]
	after(rc)[setting] == false
	msg := sprintf("%s turns %s off", [rc.address, setting])
	ja := sprintf("%s で %s が無効になります", [rc.address, setting])
}
