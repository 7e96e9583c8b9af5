# No policy that allows every action on every resource.
package terraform.iam

import rego.v1

policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

as_list(x) := x if is_array(x)
else := [x]

statements(doc) := as_list(doc.Statement)

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	rc.type in policy_types
	rc.change.after != null
	doc := json.unmarshal(rc.change.after.policy)
	some st in statements(doc)
	st.Effect == "Allow"
	"*" in as_list(st.Action)
	"*" in as_list(st.Resource)
	msg := sprintf("%s allows every action on every resource", [rc.address])
	ja := sprintf("%s が全リソースへの全操作を許可します", [rc.address])
}
