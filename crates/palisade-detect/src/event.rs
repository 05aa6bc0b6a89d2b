//! A CloudTrail event with the fields the built-in detections read, borrowed from the
//! record's text. Sub-objects that only some detections need (`requestParameters`,
//! `responseElements`, `additionalEventData`) stay raw JSON until asked for.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudTrailEvent<'a> {
    #[serde(borrow)]
    pub event_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub event_source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub event_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub aws_region: Option<Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub error_message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub event_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub read_only: Option<bool>,
    #[serde(borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    pub additional_event_data: Option<&'a RawValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub principal_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub access_key_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    #[serde(borrow)]
    pub source_identity: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub user_name: Option<Cow<'a, str>>,
}

/// `true`, or `"true"` / `"True"` as some exports write it; anything else is no answer.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(match value {
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

impl<'a> CloudTrailEvent<'a> {
    /// Parse one record's JSON text.
    pub fn parse(json: &'a str) -> serde_json::Result<CloudTrailEvent<'a>> {
        serde_json::from_str(json)
    }

    /// `lambda.amazonaws.com`, `UpdateFunctionCode20150331v2` → `("lambda", "UpdateFunctionCode")`:
    /// the service prefix and the API name without Lambda's version suffix.
    pub fn api(&self) -> Option<(&str, &str)> {
        let source = self.event_source.as_deref()?;
        let name = self.event_name.as_deref()?;
        let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
        Some((service, strip_api_version(name)))
    }

    /// The principal that made the call, stable across sessions: the role's ARN for an
    /// assumed role (`arn:aws:iam::1:role/orders-role`), else the identity's ARN, else its
    /// type and account (`Root`, `AWSService:lambda.amazonaws.com`).
    pub fn principal(&self) -> Option<Cow<'_, str>> {
        let id = self.user_identity.as_ref()?;
        if let Some(arn) = id
            .session_context
            .as_ref()
            .and_then(|c| c.session_issuer.as_ref())
            .and_then(|i| i.arn.as_deref())
        {
            return Some(Cow::Borrowed(arn));
        }
        if let Some(arn) = id.arn.as_deref() {
            return Some(Cow::Borrowed(arn));
        }
        match (id.kind.as_deref(), id.invoked_by.as_deref()) {
            (Some(kind), Some(by)) => Some(Cow::Owned(format!("{kind}:{by}"))),
            (Some(kind), None) => Some(Cow::Borrowed(kind)),
            _ => None,
        }
    }

    /// The role's session name for an assumed role (`…:assumed-role/orders-role/orders-fn`
    /// → `orders-fn`). Lambda names the session after the function.
    pub fn session_name(&self) -> Option<&str> {
        let id = self.user_identity.as_ref()?;
        if id.kind.as_deref() != Some("AssumedRole") {
            return None;
        }
        let arn = id.arn.as_deref()?;
        let (_, rest) = arn.split_once(":assumed-role/")?;
        let (_, session) = rest.split_once('/')?;
        Some(session)
    }

    /// Milliseconds since the epoch of `eventTime`.
    pub fn time_ms(&self) -> Option<i64> {
        parse_time_ms(self.event_time.as_deref()?)
    }

    /// `requestParameters` parsed, when present and an object.
    pub fn request(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.request_parameters?.get()).ok()
    }

    /// `responseElements` parsed, when present and an object.
    pub fn response(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.response_elements?.get()).ok()
    }
}

/// Lambda's API names carry a version (`AddPermission20150331v2`); IAM's actions do not.
pub fn strip_api_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    // `Name` + 8 digits + optional `v` + digits.
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1].is_ascii_digit() {
        end -= 1;
    }
    if end > 0 && end < bytes.len() && bytes[end - 1] == b'v' {
        let v = end - 1;
        let mut start = v;
        while start > 0 && bytes[start - 1].is_ascii_digit() {
            start -= 1;
        }
        if v - start == 8 && start > 0 {
            return &name[..start];
        }
    }
    let mut start = bytes.len();
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    if bytes.len() - start == 8 && start > 0 {
        return &name[..start];
    }
    name
}

/// `2024-05-01T12:00:03Z`, `2024-05-01T12:00:03.123Z`, `2024-05-01 12:00:03` (Panther's
/// tests) or an offset (`+02:00`) → milliseconds since the epoch (UTC).
pub fn parse_time_ms(text: &str) -> Option<i64> {
    let t = text.trim().as_bytes();
    if t.len() < 19 {
        return None;
    }
    let num = |a: usize, b: usize| -> Option<i64> {
        let s = std::str::from_utf8(t.get(a..b)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    if t[4] != b'-' || t[7] != b'-' || !matches!(t[10], b'T' | b't' | b' ') {
        return None;
    }
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &t[19..];
    let mut millis = 0i64;
    if let Some((b'.', frac)) = rest.split_first() {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        for (i, d) in frac[..digits].iter().take(3).enumerate() {
            millis += i64::from(d - b'0') * [100, 10, 1][i];
        }
        rest = &frac[digits..];
    }
    let offset_secs = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            let s = h * 3600 + m * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return None,
    };
    let days = palisade_logs::days_from_civil(year, month, day);
    Some(((days * 86_400 + hour * 3600 + minute * 60 + second) - offset_secs) * 1000 + millis)
}

/// Milliseconds since the epoch → `2024-05-01T12:00:03Z`.
pub fn format_time_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let date = palisade_model::Date::from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year,
        date.month,
        date.day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = parse_time_ms("2024-05-01T12:00:03Z").unwrap();
        assert_eq!(format_time_ms(t), "2024-05-01T12:00:03Z");
        assert_eq!(parse_time_ms("2024-05-01 12:00:03"), Some(t));
        assert_eq!(parse_time_ms("2024-05-01T12:00:03.250Z"), Some(t + 250));
        assert_eq!(parse_time_ms("2024-05-01T14:00:03+02:00"), Some(t));
        assert_eq!(parse_time_ms("yesterday"), None);
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn read_only_as_text() {
        let e = CloudTrailEvent::parse(r#"{"readOnly":"True","eventName":"x"}"#).unwrap();
        assert_eq!(e.read_only, Some(true));
        let e = CloudTrailEvent::parse(r#"{"readOnly":3}"#).unwrap();
        assert_eq!(e.read_only, None);
    }

    #[test]
    fn api_names() {
        assert_eq!(
            strip_api_version("AddPermission20150331v2"),
            "AddPermission"
        );
        assert_eq!(
            strip_api_version("UpdateFunctionCode20150331"),
            "UpdateFunctionCode"
        );
        assert_eq!(strip_api_version("GetSecretValue"), "GetSecretValue");
        assert_eq!(strip_api_version("PutBucketV2"), "PutBucketV2");
    }

    #[test]
    fn principals() {
        let e = CloudTrailEvent::parse(
            r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/orders-role/orders-fn",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/orders-role"}}},
            "eventSource":"lambda.amazonaws.com","eventName":"AddPermission20150331v2"}"#,
        )
        .unwrap();
        assert_eq!(
            e.principal().as_deref(),
            Some("arn:aws:iam::1:role/orders-role")
        );
        assert_eq!(e.session_name(), Some("orders-fn"));
        assert_eq!(e.api(), Some(("lambda", "AddPermission")));
    }
}
