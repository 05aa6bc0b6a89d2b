//! Rewrites applied to a parsed rule before rsigma compiles it, where rsigma 0.23 reads a
//! rule differently from the Sigma specification: `base64offset` and `%placeholder%` values.

use std::collections::{BTreeMap, BTreeSet};

use rsigma_parser::{Detection, DetectionItem, Modifier, SigmaRule, SigmaString, SigmaValue};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The three encodings of `value` as it may appear inside a longer base64 text, one per
/// position of its first byte in a 3-byte group. Characters that also depend on the bytes
/// before or after the value are cut: at the start 0, 2 or 3 characters (offset 0, 1, 2), at
/// the end those that share a group with the next, unknown byte. rsigma 0.23 only trims the
/// `=` padding, so its patterns match only a value at the very end of the encoded text.
pub(crate) fn base64_offsets(value: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    let mut out = Vec::with_capacity(3);
    for (offset, start) in START.iter().enumerate() {
        let mut padded = vec![b' '; offset];
        padded.extend_from_slice(value);
        let encoded = base64(&padded);
        let cut_end = match padded.len() % 3 {
            0 => 0,
            1 => 3,
            _ => 2,
        };
        let end = encoded.len().saturating_sub(cut_end);
        if let Some(pattern) = encoded.get(*start..end)
            && !pattern.is_empty()
        {
            out.push(pattern.to_string());
        }
    }
    out
}

fn encode_text(text: &str, modifiers: &[Modifier]) -> Vec<u8> {
    if modifiers.contains(&Modifier::Wide) {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    } else if modifiers.contains(&Modifier::Utf16be) {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    } else if modifiers.contains(&Modifier::Utf16) {
        let mut out = vec![0xFF, 0xFE];
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    } else {
        text.as_bytes().to_vec()
    }
}

/// Replace every `field|base64offset|contains` item by `field|contains` over the three
/// correct offset patterns. With `all`, each original value becomes its own item, so that
/// every value must be found (in any of its three forms).
pub(crate) fn fix_base64offset(rule: &mut SigmaRule) -> Result<(), String> {
    for detection in rule.detection.named.values_mut() {
        fix_detection(detection)?;
    }
    Ok(())
}

fn fix_detection(detection: &mut Detection) -> Result<(), String> {
    match detection {
        Detection::AllOf(items) => {
            if !items
                .iter()
                .any(|i| i.field.has_modifier(Modifier::Base64Offset))
            {
                return Ok(());
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items.drain(..) {
                out.extend(fix_item(item)?);
            }
            *items = out;
        }
        Detection::AnyOf(subs) | Detection::And(subs) => {
            for sub in subs {
                fix_detection(sub)?;
            }
        }
        Detection::ArrayMatch { body, .. } => fix_detection(body)?,
        Detection::Conditional { named, .. } => {
            for sub in named.values_mut() {
                fix_detection(sub)?;
            }
        }
        Detection::Keywords(_) => {}
    }
    Ok(())
}

fn fix_item(item: DetectionItem) -> Result<Vec<DetectionItem>, String> {
    let modifiers = &item.field.modifiers;
    if !modifiers.contains(&Modifier::Base64Offset) {
        return Ok(vec![item]);
    }
    let all = modifiers.contains(&Modifier::All);
    let kept: Vec<Modifier> = modifiers
        .iter()
        .copied()
        .filter(|m| {
            !matches!(
                m,
                Modifier::Base64Offset
                    | Modifier::All
                    | Modifier::Contains
                    | Modifier::Wide
                    | Modifier::Utf16
                    | Modifier::Utf16be
            )
        })
        .collect();
    if !kept.is_empty() {
        return Err(format!(
            "`{}`: base64offset combined with {kept:?} is not supported",
            item.field.name.as_deref().unwrap_or("keyword")
        ));
    }
    let mut groups: Vec<Vec<SigmaValue>> = Vec::new();
    for value in &item.values {
        let SigmaValue::String(s) = value else {
            return Err("base64offset applies to strings only".to_string());
        };
        let Some(plain) = s.as_plain() else {
            return Err(format!(
                "base64offset value `{}` has a wildcard",
                s.original
            ));
        };
        let patterns = base64_offsets(&encode_text(&plain, modifiers));
        // Base64 text never holds `*`, `?` or `\`: the patterns are plain.
        groups.push(
            patterns
                .iter()
                .map(|p| SigmaValue::String(SigmaString::new(p)))
                .collect(),
        );
    }
    let field = rsigma_parser::FieldSpec::new(item.field.name.clone(), vec![Modifier::Contains]);
    if all {
        Ok(groups
            .into_iter()
            .map(|values| DetectionItem {
                field: field.clone(),
                values,
            })
            .collect())
    } else {
        Ok(vec![DetectionItem {
            field,
            values: groups.into_iter().flatten().collect(),
        }])
    }
}

/// The `%name%` placeholders of a rule's `expand` items.
pub(crate) fn placeholders(rule: &SigmaRule) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for detection in rule.detection.named.values() {
        visit_items(detection, &mut |item| {
            if item.field.has_modifier(Modifier::Expand) {
                for value in &item.values {
                    if let SigmaValue::String(s) = value {
                        out.extend(names_in(&s.original));
                    }
                }
            }
        });
    }
    out
}

fn names_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('%') {
        let after = rest.get(start + 1..).unwrap_or("");
        let Some(end) = after.find('%') else {
            break;
        };
        if end > 0 {
            out.push(after.get(..end).unwrap_or("").to_string());
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}

fn visit_items(detection: &Detection, visit: &mut dyn FnMut(&DetectionItem)) {
    match detection {
        Detection::AllOf(items) => items.iter().for_each(&mut *visit),
        Detection::AnyOf(subs) | Detection::And(subs) => {
            subs.iter().for_each(|s| visit_items(s, visit));
        }
        Detection::ArrayMatch { body, .. } => visit_items(body, visit),
        Detection::Conditional { named, .. } => {
            named.values().for_each(|s| visit_items(s, visit));
        }
        Detection::Keywords(_) => {}
    }
}

fn items_mut(detection: &mut Detection, visit: &mut dyn FnMut(&mut DetectionItem)) {
    match detection {
        Detection::AllOf(items) => items.iter_mut().for_each(&mut *visit),
        Detection::AnyOf(subs) | Detection::And(subs) => {
            subs.iter_mut().for_each(|s| items_mut(s, visit));
        }
        Detection::ArrayMatch { body, .. } => items_mut(body, visit),
        Detection::Conditional { named, .. } => {
            named.values_mut().for_each(|s| items_mut(s, visit));
        }
        Detection::Keywords(_) => {}
    }
}

/// Replace each `%name%` of an `expand` item by the caller's values (one value per supplied
/// value; several placeholders in one value multiply) and drop `expand`, so that the item
/// compares literally (wildcards in supplied values work as in any Sigma value). Without
/// this, rsigma reads `%name%` as the name of an event field. The caller has checked that
/// every placeholder has values.
pub(crate) fn expand_placeholders(rule: &mut SigmaRule, values: &BTreeMap<String, Vec<String>>) {
    for detection in rule.detection.named.values_mut() {
        items_mut(detection, &mut |item| {
            if !item.field.has_modifier(Modifier::Expand) {
                return;
            }
            item.field.modifiers.retain(|m| *m != Modifier::Expand);
            let mut out = Vec::new();
            for value in &item.values {
                let SigmaValue::String(s) = value else {
                    out.push(value.clone());
                    continue;
                };
                let mut texts = vec![s.original.clone()];
                for name in names_in(&s.original) {
                    let marker = format!("%{name}%");
                    let supplied = values.get(&name).map(Vec::as_slice).unwrap_or_default();
                    texts = texts
                        .iter()
                        .flat_map(|t| {
                            let marker = &marker;
                            supplied.iter().map(move |v| t.replacen(marker, v, 1))
                        })
                        .collect();
                }
                out.extend(
                    texts
                        .iter()
                        .map(|t| SigmaValue::String(SigmaString::new(t))),
                );
            }
            item.values = out;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }

    #[test]
    fn offsets_match_sigma_reference_values() {
        // pySigma's expected values for `foobar`.
        assert_eq!(
            base64_offsets(b"foobar"),
            vec!["Zm9vYmFy", "Zvb2Jhc", "mb29iYX"]
        );
    }
}
