"""testdata/archive/: signed PDF/A copies made by kyso, validated by pyHanko and pikepdf.

kyso writes the copies (`kyso scan --outputs pdfa --sign-with testdata/pki/archive/org-archive.p12`),
then pyHanko 0.25.3 validates the archive's signature (trusting the test root, at
VALIDATION_TIME) and pikepdf reads the PDF/A identification and the attachments. Their answers
go to testdata/archive/labels.json; tests/archive.rs checks that `kyso verify` agrees on the
same files, so the tests never need Python. Run it again whenever the signing or PDF/A code
changes (it asserts what it expects, so a regression fails here first):

    cargo build --release
    python3 testdata/generate/archive.py            # KYSO=path/to/kyso to use another binary

* scan-org-signed.pdfa.pdf: the signed scan of the corpus, PDF/A-3b with the original embedded,
  archive signature PAdES B-B;
* scan-page.pdfa-bt.pdf: the PNG scan, PDF/A-2b, PAdES B-T with a token from a local RFC 3161
  responder (OpenSSL `ts -reply` behind http.server on 127.0.0.1, testdata/pki/archive/tsa.*).
"""
import datetime as dt
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import pikepdf
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PKI = os.path.join(ROOT, "testdata", "pki", "archive")
OUT = os.path.join(ROOT, "testdata", "archive")
CORPUS = os.path.join(ROOT, "testdata", "corpus")
KYSO = os.environ.get("KYSO", os.path.join(ROOT, "target", "release", "kyso"))
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: the copies' dates and /M
VALIDATION_TIME = "2026-06-01T00:00:00Z"


def serve_tsa(workdir):
    """A local RFC 3161 responder: openssl ts -reply over HTTP on 127.0.0.1."""
    with open(os.path.join(workdir, "tsaserial"), "w") as f:
        f.write("01\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            query = self.rfile.read(int(self.headers["Content-Length"]))
            q, r = os.path.join(workdir, "q.tsq"), os.path.join(workdir, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            subprocess.run(["openssl", "ts", "-reply", "-config", os.path.join(PKI, "tsa.cnf"),
                            "-queryfile", q, "-signer", os.path.join(PKI, "tsa.cert.pem"),
                            "-inkey", os.path.join(PKI, "tsa.key.pem"), "-out", r],
                           cwd=workdir, check=True, capture_output=True)
            body = open(r, "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/tsa"


def kyso_copy(workdir, source, extra):
    out = os.path.join(workdir, "out-" + os.path.basename(source))
    env = dict(os.environ, KYSO_SIGN_PASSWORD="kyso-demo", SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    subprocess.run([KYSO, "scan", source, "--out", out, "--quiet", "--outputs", "pdfa",
                    "--sign-with", os.path.join(PKI, "org-archive.p12")] + extra,
                   check=True, env=env)
    record = json.loads(open(os.path.join(out, "documents.jsonl")).readline())
    assert not record["errors"], record["errors"]
    return os.path.join(out, "pdfa", record["id"] + ".pdf")


def pyhanko_status(path):
    with open(os.path.join(PKI, "trust", "root-ca.cert.pem"), "rb") as f:
        _, _, der = pem.unarmor(f.read())
    moment = dt.datetime.fromisoformat(VALIDATION_TIME.replace("Z", "+00:00"))
    vc = ValidationContext(trust_roots=[x509.Certificate.load(der)], moment=moment,
                           allow_fetching=False)
    with open(path, "rb") as f:
        sigs = PdfFileReader(f).embedded_signatures
        assert len(sigs) == 1, path
        st = validate_pdf_signature(sigs[0], signer_validation_context=vc,
                                    ts_validation_context=vc)
    out = {"intact": st.intact, "valid": st.valid, "trusted": st.trusted,
           "coverage": st.coverage.name, "modification_level": st.modification_level.name,
           "signer": st.signing_cert.subject.human_friendly}
    if st.timestamp_validity is not None:
        t = st.timestamp_validity
        out["timestamp_valid"] = bool(t.intact and t.valid and t.trusted)
    assert st.intact and st.valid and st.trusted, (path, out)
    assert out["coverage"] == "ENTIRE_FILE" and out["modification_level"] == "NONE", out
    return out


def pikepdf_view(path, original=None):
    with pikepdf.open(path) as pdf:
        status = pdf.open_metadata().pdfa_status
        attachments = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
    view = {"pdfa_status": status, "attachments": sorted(attachments)}
    if original is not None:
        view["original_unchanged"] = attachments[os.path.basename(original)] == open(original, "rb").read()
        assert view["original_unchanged"]
    return view


def main():
    if not os.path.exists(KYSO):
        sys.exit(f"{KYSO} not found: cargo build --release, or set KYSO")
    os.makedirs(OUT, exist_ok=True)
    labels = {}
    with tempfile.TemporaryDirectory() as work:
        signed = os.path.join(CORPUS, "scan-org-signed.pdf")
        copy = kyso_copy(work, signed, [])
        name = "scan-org-signed.pdfa.pdf"
        shutil.copy(copy, os.path.join(OUT, name))
        view = pikepdf_view(copy, signed)
        assert view["pdfa_status"] == "3B", view
        labels[name] = {"level": "b_b", "validation_time": VALIDATION_TIME,
                        "pyhanko": pyhanko_status(copy), "pikepdf": view}

        server, url = serve_tsa(work)
        try:
            copy = kyso_copy(work, os.path.join(CORPUS, "scan-page.png"), ["--tsa-url", url])
        finally:
            server.shutdown()
        name = "scan-page.pdfa-bt.pdf"
        shutil.copy(copy, os.path.join(OUT, name))
        view = pikepdf_view(copy)
        assert view["pdfa_status"] == "2B" and not view["attachments"], view
        status = pyhanko_status(copy)
        assert status.get("timestamp_valid"), status
        labels[name] = {"level": "b_t", "validation_time": VALIDATION_TIME,
                        "pyhanko": status, "pikepdf": view}
    with open(os.path.join(OUT, "labels.json"), "w") as f:
        json.dump(labels, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(json.dumps(labels, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
