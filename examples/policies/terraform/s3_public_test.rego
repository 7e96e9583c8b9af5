package terraform.s3_test

import rego.v1

import data.terraform.s3

one(type, after) := {"resource_changes": [{"address": sprintf("%s.b", [type]), "type": type, "change": {"actions": ["create"], "after": after}}]}

test_public_read_acl_is_denied if {
	count(s3.deny) == 1 with input as one("aws_s3_bucket_acl", {"acl": "public-read"})
}

test_private_acl_is_allowed if {
	count(s3.deny) == 0 with input as one("aws_s3_bucket_acl", {"acl": "private"})
}

test_turning_off_the_public_access_block_is_denied if {
	count(s3.deny) == 2 with input as one("aws_s3_bucket_public_access_block", {
		"block_public_acls": true, "block_public_policy": false,
		"ignore_public_acls": true, "restrict_public_buckets": false,
	})
}
