//! CMS (PKCS#7) parsing and verification, through the detached-signature entry point: DER (or
//! PEM-armoured) bytes → SignedData → signer certificate, signed attributes, digest,
//! signature value, timestamp tokens. The content is fixed, so the fuzzer only drives the CMS.
#![no_main]

use kyso::signature::{analyze_detached, SignatureOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = analyze_detached(b"kyso fuzz content\n", data, &SignatureOptions::default());
});
