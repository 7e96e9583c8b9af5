package terraform.stateful_test

import rego.v1

import data.terraform.stateful

change(type, actions) := {"resource_changes": [{
	"address": sprintf("%s.main", [type]),
	"type": type,
	"change": {"actions": actions, "before": {}, "after": null},
}]}

test_destroying_a_database_is_denied if {
	some f in stateful.deny with input as change("aws_db_instance", ["delete"])
	f.msg == "aws_db_instance.main would be destroyed: it holds data"
}

test_replacing_a_table_says_replaced if {
	some f in stateful.deny with input as change("aws_dynamodb_table", ["create", "delete"])
	contains(f.msg, "would be replaced")
	contains(f.metadata.ja, "置き換え")
}

test_destroying_a_security_group_is_allowed if {
	count(stateful.deny) == 0 with input as change("aws_security_group", ["delete"])
}
