"""Expands an SPDX 3 JSON-LD document with PyLD, serving the SPDX context
URL from a local file (the tests run offline): the JSON-LD check of
tests/integration/test_sbom.py, run as its own process so that it can use
Debian's python3-pyld whatever interpreter runs the tests.
Usage: python3 jsonld_expand.py CONTEXT_URL LOCAL_CONTEXT FILE
Prints the expanded document as JSON."""
import json
import sys

from pyld import jsonld


def main():
    url, local, path = sys.argv[1:4]
    with open(local) as f:
        context = json.load(f)

    def loader(requested, options=None):
        if requested != url:
            raise jsonld.JsonLdError("offline: only the SPDX context",
                                     "jsonld.LoadDocumentError",
                                     {"url": requested})
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": context}

    with open(path) as f:
        doc = json.load(f)
    out = jsonld.expand(doc, {"documentLoader": loader})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
