package terraform.iam_test

import rego.v1

import data.terraform.iam

policy(doc) := {"resource_changes": [{
	"address": "aws_iam_policy.p",
	"type": "aws_iam_policy",
	"change": {"actions": ["create"], "after": {"policy": json.marshal(doc)}},
}]}

test_admin_statement_is_denied if {
	count(iam.deny) == 1 with input as policy({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

test_a_single_statement_object_is_read if {
	count(iam.deny) == 1 with input as policy({"Statement": {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}})
}

test_scoped_statement_is_allowed if {
	count(iam.deny) == 0 with input as policy({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
}

test_deny_everything_is_allowed if {
	count(iam.deny) == 0 with input as policy({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
}
