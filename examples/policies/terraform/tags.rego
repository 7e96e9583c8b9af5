# Every taggable resource says who owns it. A warning: shown on the card, never blocks.
package terraform.tags

import rego.v1

required := {"owner", "service"}

warn contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	some action in ["create", "update"]
	action in rc.change.actions
	"tags" in object.keys(rc.change.after)
	tags := tag_map(rc.change.after.tags)
	missing := {t | some t in required; not tags[t]}
	count(missing) > 0
	msg := sprintf("%s has no %s tag", [rc.address, concat(", ", sort(missing))])
	ja := sprintf("%s に %s タグがありません", [rc.address, concat(", ", sort(missing))])
}

tag_map(x) := x if is_object(x)
else := {}
