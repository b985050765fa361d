//! What the CRLs at hand say about one certificate at the validation time (RFC 5280 §6.3):
//! which CRLs may be used (issuer's key, time, critical extensions, the scope an issuing
//! distribution point gives them), complete CRLs and delta CRLs over a base, and freshness.
//!
//! A CRL proves "not revoked" only when it is complete for the certificate (not a delta CRL
//! on its own, not a partition that leaves the certificate out) and fresh at the validation
//! time (its `nextUpdate` is not before it). A revocation entry is evidence from any CRL of
//! the issuer whose signature verifies: serial numbers are unique per issuer.

use std::borrow::Cow;

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::crl::{BaseCrlNumber, CrlDistributionPoints, CrlNumber};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{BasicConstraints, CrlReason};
use x509_cert::Certificate;

use super::algorithms::{verify_signature, DigestAlg, VerifyError};
use super::revocation::{rfc3339, time_secs, Provenance};

const CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
const CRL_REASON: Oid = Oid::new_unwrap("2.5.29.21");
const DELTA_CRL_INDICATOR: Oid = Oid::new_unwrap("2.5.29.27");
const ISSUING_DISTRIBUTION_POINT: Oid = Oid::new_unwrap("2.5.29.28");
const CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
const FRESHEST_CRL: Oid = Oid::new_unwrap("2.5.29.46");
const AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// CRL extensions kyso understands; a CRL with any other critical one is not used (RFC 5280
/// §5.2).
const UNDERSTOOD: [Oid; 5] = [
    CRL_NUMBER,
    DELTA_CRL_INDICATOR,
    ISSUING_DISTRIBUTION_POINT,
    AUTHORITY_KEY_IDENTIFIER,
    FRESHEST_CRL,
];

/// What the CRLs say.
pub(super) enum CrlVerdict {
    /// Revoked at `date` (Unix seconds, not after the validation time).
    Revoked {
        date: u64,
        detail: String,
    },
    Good(String),
}

/// One CRL of the certificate's issuer that verified and may be used at the validation time.
struct Usable<'a> {
    crl: &'a CertificateList,
    source: &'a str,
    issued: u64,
    next: Option<u64>,
    number: Option<Vec<u8>>,
    /// `Some(base CRL number)` for a delta CRL.
    delta_base: Option<Vec<u8>>,
    /// Why this CRL cannot say "not revoked" for the certificate, when it cannot.
    out_of_scope: Option<String>,
}

/// The status the CRLs give `cert` at `at`, or `None` (with `notes` saying why) when they give
/// none.
pub(super) fn crl_status(
    cert: &Certificate,
    issuer: &Certificate,
    crls: &[(CertificateList, Cow<'static, str>)],
    at: u64,
    provenance: Provenance,
    notes: &mut Vec<String>,
) -> Option<CrlVerdict> {
    let serial = &cert.tbs_certificate.serial_number;
    let mut usable = Vec::new();
    for (crl, source) in crls {
        let tbs = &crl.tbs_cert_list;
        if tbs.issuer != cert.tbs_certificate.issuer {
            continue;
        }
        let verified = tbs.to_der().ok().is_some_and(|der| {
            !matches!(
                verify_signature(
                    &issuer.tbs_certificate.subject_public_key_info,
                    &crl.signature_algorithm,
                    DigestAlg::Sha256,
                    &der,
                    crl.signature.raw_bytes(),
                ),
                Err(VerifyError::Bad(_) | VerifyError::Unsupported(_))
            )
        });
        if !verified {
            notes.push(format!(
                "a CRL in the {source} does not verify with the issuer's key"
            ));
            continue;
        }
        let issued = time_secs(&tbs.this_update);
        if issued > at && provenance == Provenance::Embedded {
            notes.push(format!(
                "a CRL in the {source} was issued after the validation time ({})",
                rfc3339(issued)
            ));
            continue;
        }
        let exts = tbs.crl_extensions.as_deref().unwrap_or_default();
        if let Some(e) = exts
            .iter()
            .find(|e| e.critical && !UNDERSTOOD.contains(&e.extn_id))
        {
            notes.push(format!(
                "a CRL in the {source} has a critical extension kyso does not know ({})",
                e.extn_id
            ));
            continue;
        }
        let ext = |oid: Oid| {
            exts.iter()
                .find(|e| e.extn_id == oid)
                .map(|e| e.extn_value.as_bytes())
        };
        let number = ext(CRL_NUMBER)
            .and_then(|b| CrlNumber::from_der(b).ok())
            .map(|n| magnitude(n.0.as_bytes()));
        let delta_base = match ext(DELTA_CRL_INDICATOR) {
            Some(b) => match BaseCrlNumber::from_der(b) {
                Ok(n) => Some(magnitude(n.0.as_bytes())),
                Err(_) => {
                    notes.push(format!(
                        "a delta CRL in the {source} has an unreadable base CRL number"
                    ));
                    continue;
                }
            },
            None => None,
        };
        let out_of_scope = match ext(ISSUING_DISTRIBUTION_POINT) {
            Some(b) => match IssuingDistributionPoint::from_der(b) {
                Ok(idp) => scope_problem(&idp, cert),
                Err(_) => Some("its issuing distribution point does not parse".into()),
            },
            None => None,
        };
        usable.push(Usable {
            crl,
            source,
            issued,
            next: tbs.next_update.as_ref().map(time_secs),
            number,
            delta_base,
            out_of_scope,
        });
    }

    // A revocation entry dated by the validation time, from any of them.
    for u in &usable {
        if let Some((date, reason)) = entry(u.crl, serial) {
            if reason == Some(CrlReason::RemoveFromCRL) {
                continue;
            }
            if date <= at {
                return Some(CrlVerdict::Revoked {
                    date,
                    detail: format!(
                        "{} from the {}, issued {}{}",
                        if u.delta_base.is_some() {
                            "delta CRL"
                        } else {
                            "CRL"
                        },
                        u.source,
                        rfc3339(u.issued),
                        reason
                            .map(|r| format!(", reason {r:?}"))
                            .unwrap_or_default()
                    ),
                });
            }
        }
    }

    // "Not revoked": a complete CRL in scope, fresh, or made fresh by a delta CRL over it.
    let expired_before = |issued: u64| {
        provenance == Provenance::Fetched
            && issued > at
            && time_secs(&cert.tbs_certificate.validity.not_after) < issued
    };
    let mut stale = Vec::new();
    for base in usable.iter().filter(|u| u.delta_base.is_none()) {
        if let Some(why) = &base.out_of_scope {
            notes.push(format!(
                "a CRL in the {} does not cover this certificate: {why}",
                base.source
            ));
            continue;
        }
        if expired_before(base.issued) {
            notes.push(format!(
                "the CRL in the {} was issued after the certificate expired: a CA may drop \
                 expired certificates from its CRLs (RFC 5280 §3.3), so its silence proves nothing",
                base.source
            ));
            continue;
        }
        let later = |u: &Usable| match entry(u.crl, serial) {
            Some((date, _)) if date > at => format!(
                "; revoked only on {}, after the validation time",
                rfc3339(date)
            ),
            _ => String::new(),
        };
        if base.next.is_none_or(|n| n >= at) {
            return Some(CrlVerdict::Good(format!(
                "CRL from the {}, issued {}{}{}",
                base.source,
                rfc3339(base.issued),
                base.next
                    .map(|n| format!(", next update {}", rfc3339(n)))
                    .unwrap_or_default(),
                later(base)
            )));
        }
        // Stale: a fresh delta CRL whose base is this CRL or an earlier one brings it up to date.
        let delta = usable.iter().find(|d| {
            d.out_of_scope.is_none()
                && d.next.is_none_or(|n| n >= at)
                && match (&d.delta_base, &base.number) {
                    (Some(want), Some(have)) => !number_less(have, want),
                    _ => false,
                }
        });
        if let Some(d) = delta {
            return Some(CrlVerdict::Good(format!(
                "CRL from the {}, issued {}, brought up to date by the delta CRL from the {}, \
                 issued {}{}",
                base.source,
                rfc3339(base.issued),
                d.source,
                rfc3339(d.issued),
                later(d)
            )));
        }
        stale.push(format!(
            "the CRL in the {} is stale: its next update ({}) is before the validation time",
            base.source,
            rfc3339(base.next.unwrap_or(0))
        ));
    }
    notes.extend(stale);
    if usable.iter().all(|u| u.delta_base.is_some()) && !usable.is_empty() {
        notes.push(
            "only delta CRLs name the issuer: without their base CRL they cannot say a \
             certificate was not revoked"
                .into(),
        );
    }
    None
}

/// The entry for `serial`: its date and reason code.
fn entry(
    crl: &CertificateList,
    serial: &x509_cert::serial_number::SerialNumber,
) -> Option<(u64, Option<CrlReason>)> {
    let r = crl
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| &r.serial_number == serial)?;
    let reason = r
        .crl_entry_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == CRL_REASON)
        .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok());
    Some((time_secs(&r.revocation_date), reason))
}

/// Why a CRL with this issuing distribution point does not cover `cert`, if it does not
/// (RFC 5280 §6.3.3 (b)): reason partitions and indirect CRLs are not interpreted, a CRL for
/// CA (or end-entity) certificates only does not cover the other kind, and a named
/// distribution point must be one the certificate names.
fn scope_problem(idp: &IssuingDistributionPoint, cert: &Certificate) -> Option<String> {
    let is_ca = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|bc| bc.ca);
    if idp.only_some_reasons.is_some() {
        return Some("it covers only some revocation reasons".into());
    }
    if idp.indirect_crl {
        return Some("it is an indirect CRL (not interpreted)".into());
    }
    if idp.only_contains_attribute_certs {
        return Some("it covers attribute certificates only".into());
    }
    if idp.only_contains_user_certs && is_ca {
        return Some("it covers end-entity certificates only".into());
    }
    if idp.only_contains_ca_certs && !is_ca {
        return Some("it covers CA certificates only".into());
    }
    if let Some(DistributionPointName::FullName(names)) = &idp.distribution_point {
        let wanted: Vec<String> = names.iter().filter_map(uri).collect();
        let named = distribution_point_uris(cert, CRL_DISTRIBUTION_POINTS);
        if !wanted.is_empty() && !wanted.iter().any(|w| named.contains(w)) {
            return Some(format!(
                "it is the CRL of distribution point {}, which the certificate does not name",
                wanted.join(", ")
            ));
        }
    }
    None
}

fn uri(n: &GeneralName) -> Option<String> {
    match n {
        GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
        _ => None,
    }
}

/// The URIs of a certificate's CRL distribution points (`2.5.29.31`) or freshest-CRL
/// pointers (`2.5.29.46`, delta CRLs), in order.
pub(super) fn distribution_point_uris(cert: &Certificate, oid: Oid) -> Vec<String> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == oid)
        .filter_map(|e| CrlDistributionPoints::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|dps| dps.0)
        .filter_map(|dp| match dp.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(|n| uri(&n))
        .collect()
}

/// The URIs where `cert`'s CRLs are published: its distribution points, then its delta CRLs.
pub(super) fn crl_uris(cert: &Certificate) -> Vec<String> {
    let mut out = distribution_point_uris(cert, CRL_DISTRIBUTION_POINTS);
    for u in distribution_point_uris(cert, FRESHEST_CRL) {
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

fn magnitude(b: &[u8]) -> Vec<u8> {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b[first..].to_vec()
}

/// `a < b` for unsigned big-endian magnitudes without leading zeros.
fn number_less(a: &[u8], b: &[u8]) -> bool {
    (a.len(), a) < (b.len(), b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crl_numbers_compare_as_integers() {
        assert!(number_less(&magnitude(&[0, 5]), &magnitude(&[1, 0])));
        assert!(!number_less(&[7], &[7]));
        assert!(!number_less(&[1, 0], &[0xff]));
    }
}
