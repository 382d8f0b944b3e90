#!/usr/bin/env python3
"""An independent ML-DSA JOSE peer for jwtkit's interop tests (RFC 9964).

It uses the ML-DSA of pyca/cryptography (version 47 or later) and writes its
own base64url, JSON and RFC 7638 thumbprints, sharing no code with jwtkit.
One request as JSON on standard input, one answer as JSON on standard output.

  {"op": "sign", "alg": "ML-DSA-65", "claims": {...}, "context": ""}
      -> {"jwk": public AKP JWK, "private_jwk": ..., "token": compact JWS}
  {"op": "verify", "jwk": AKP JWK, "token": compact JWS}
      -> {"header": {...}, "claims": {...}, "thumbprint": "..."}
"""
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import mldsa

CLASSES = {
    "ML-DSA-44": (mldsa.MLDSA44PrivateKey, mldsa.MLDSA44PublicKey),
    "ML-DSA-65": (mldsa.MLDSA65PrivateKey, mldsa.MLDSA65PublicKey),
    "ML-DSA-87": (mldsa.MLDSA87PrivateKey, mldsa.MLDSA87PublicKey),
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    if "=" in text or "+" in text or "/" in text:
        raise ValueError("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(alg: str, pub: bytes) -> str:
    # RFC 9964: the required members are alg, kty and pub, in that order.
    canon = '{"alg":"%s","kty":"AKP","pub":"%s"}' % (alg, b64(pub))
    return b64(hashlib.sha256(canon.encode("ascii")).digest())


def sign(req):
    alg = req["alg"]
    priv_cls, _ = CLASSES[alg]
    key = priv_cls.generate()
    pub = key.public_key().public_bytes_raw()
    kid = thumbprint(alg, pub)
    header = {"alg": alg, "kid": kid, "typ": "JWT"}
    signing_input = (
        b64(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64(json.dumps(req["claims"], separators=(",", ":")).encode())
    )
    context = req.get("context", "").encode()
    sig = key.sign(signing_input.encode("ascii"), context if context else None)
    jwk = {"kty": "AKP", "alg": alg, "kid": kid, "pub": b64(pub)}
    private_jwk = dict(jwk, priv=b64(key.private_bytes_raw()))
    return {"jwk": jwk, "private_jwk": private_jwk, "token": signing_input + "." + b64(sig)}


def verify(req):
    jwk = req["jwk"]
    if jwk.get("kty") != "AKP":
        raise ValueError("kty is not AKP")
    alg = jwk["alg"]
    _, pub_cls = CLASSES[alg]
    pub = unb64(jwk["pub"])
    key = pub_cls.from_public_bytes(pub)
    head, payload, sig = req["token"].split(".")
    header = json.loads(unb64(head))
    if header.get("alg") != alg:
        raise ValueError("the token's alg is not the key's")
    key.verify(unb64(sig), (head + "." + payload).encode("ascii"))
    return {"header": header, "claims": json.loads(unb64(payload)), "thumbprint": thumbprint(alg, pub)}


def main():
    req = json.load(sys.stdin)
    try:
        out = {"sign": sign, "verify": verify}[req["op"]](req)
    except InvalidSignature:
        print("invalid signature", file=sys.stderr)
        sys.exit(1)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
