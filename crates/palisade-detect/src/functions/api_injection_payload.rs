//! PAL524: attack payloads in API requests, from API Gateway access logs.

use palisade_model::{Area, Confidence, RuleMeta, Sas, Severity};

pub(crate) static META: RuleMeta = RuleMeta {
    code: "PAL524",
    name: "injection-payload-in-api-request",
    title: "Attack payload in an API request",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    sas: Sas::S1,
    area: Area::Monitoring,
    fix: "Check the status the API answered and what the function did with the request; block the source or add request validation or a WAF rule in front of the API.",
    docs: r#"## What it does
Reads API Gateway access logs in JSON and matches the path, the query (any field named like
`queryString` or `requestUri`) and the user agent of every request against the payload
tables of PAL520: command, SQL, NoSQL and template injection, serialized gadgets and path
traversal, as written and once URL-decoded. One detection per API, payload class and request
id; after 50 per API the rest are counted on the last one.

## Why is this bad?
Someone sent the API a request built to escape into a shell, a query, a template engine or a
deserializer. The access log says which address sent it, when, on which route, and what the
API answered: a 200 or a 500 to an injection probe deserves a look at the function behind
the route.

## Example
```json
{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"203.0.113.7","httpMethod":"GET","path":"/prod/files","queryString":"?name=..%2f..%2f..%2fetc%2fpasswd","status":"200"}
```

## Fix
Follow the request id into the function's log group (PAL520 fires there if the function
logged the event), validate requests at the edge (request validators, models, AWS WAF's
managed rule groups for SQL injection and known bad inputs), and throttle or block the
source address.

## References
- OWASP Serverless Top 10: S1:2017 Injection
- API Gateway access logging variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
- AWS WAF managed rule groups: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
"#,
};
