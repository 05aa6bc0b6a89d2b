//! The AWS global condition context keys, which any policy statement may use whatever its
//! actions, with the type of each.
//!
//! Source: AWS Identity and Access Management User Guide, "AWS global condition context keys"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>),
//! including its cross-service keys (`ec2:SourceInstanceArn`, `lambda:SourceFunctionArn`, …)
//! that requests to every service carry. Types use the catalog's names (`String`, `ARN`,
//! `Numeric`, `Date`, `Bool`, `IPAddress`; `ArrayOf…` for the multivalued keys); alternatives
//! are separated by `|` (`aws:EpochTime` takes date and numeric operators). A key ending in
//! `/${TagKey}` takes any tag key after the slash. Keys are case-insensitive, as in IAM.

/// (key, type) of every global condition key.
pub const GLOBAL_CONDITION_KEYS: &[(&str, &str)] = &[
    // Properties of the principal.
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalTag/${TagKey}", "String"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalType", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    // Properties of a role session. The page documents `aws:AssumedRoot` with a `"true"`
    // value; tools disagree on its type, so both operators are accepted.
    ("aws:AssumedRoot", "String|Bool"),
    ("aws:FederatedProvider", "String"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:ChatbotSourceArn", "ARN"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:SourceIdentity", "String"),
    ("ec2:RoleDelivery", "Numeric"),
    ("ec2:SourceInstanceArn", "ARN"),
    ("glue:RoleAssumedBy", "String"),
    ("glue:CredentialIssuingService", "String"),
    ("lambda:SourceFunctionArn", "ARN"),
    ("ssm:SourceInstanceArn", "ARN"),
    ("identitystore:UserId", "String"),
    // Properties of the network.
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:SourceVpce", "String"),
    ("aws:VpceAccount", "String"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:VpcSourceIp", "IPAddress"),
    // Properties of the resource.
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceTag/${TagKey}", "String"),
    // Properties of the request.
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:CurrentTime", "Date"),
    ("aws:EpochTime", "Date|Numeric"),
    ("aws:referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/${TagKey}", "String"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:SourceOwner", "String"),
    ("aws:UserAgent", "String"),
    // Recent additions for requests made through AWS MCP servers, as third-party tools list
    // them; not checked against the page, and their types are not settled, so both are
    // accepted.
    ("aws:IsMcpServiceAction", "String|Bool"),
    ("aws:CalledViaAWSMCP", "String|Bool"),
];

/// The global key a condition key is (case-insensitive; `aws:PrincipalTag/team` is
/// `aws:PrincipalTag/${TagKey}`), with its type.
pub fn global_condition_key(key: &str) -> Option<(&'static str, &'static str)> {
    GLOBAL_CONDITION_KEYS
        .iter()
        .find(|(name, _)| crate::conditions::key_matches(name, key))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_case_insensitively_and_by_tag_prefix() {
        assert_eq!(
            global_condition_key("aws:sourceip"),
            Some(("aws:SourceIp", "IPAddress"))
        );
        assert_eq!(
            global_condition_key("aws:PrincipalTag/team").map(|k| k.0),
            Some("aws:PrincipalTag/${TagKey}")
        );
        assert_eq!(
            global_condition_key("AWS:RequestTag/cost-center").map(|k| k.1),
            Some("String")
        );
        assert!(global_condition_key("aws:PrincipalTag").is_none());
        assert!(global_condition_key("aws:SourceIpAddress").is_none());
        assert!(global_condition_key("lambda:SourceFunctionArn").is_some());
    }

    #[test]
    fn every_type_is_one_the_operators_know() {
        for (key, ty) in GLOBAL_CONDITION_KEYS {
            for t in ty.split('|') {
                assert!(
                    matches!(
                        t.trim_start_matches("ArrayOf"),
                        "String" | "ARN" | "Numeric" | "Date" | "Bool" | "IPAddress"
                    ),
                    "{key}: {t}"
                );
            }
        }
    }
}
