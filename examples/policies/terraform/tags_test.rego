package terraform.tags_test

import rego.v1

import data.terraform.tags

created(tag_value) := {"resource_changes": [{
	"address": "aws_instance.web",
	"type": "aws_instance",
	"change": {"actions": ["create"], "after": {"tags": tag_value}},
}]}

test_missing_tags_warn if {
	some w in tags.warn with input as created({"owner": "sre"})
	w.msg == "aws_instance.web has no service tag"
}

test_null_tags_warn_for_both if {
	some w in tags.warn with input as created(null)
	w.msg == "aws_instance.web has no owner, service tag"
}

test_tagged_resource_passes if {
	count(tags.warn) == 0 with input as created({"owner": "sre", "service": "web"})
}
