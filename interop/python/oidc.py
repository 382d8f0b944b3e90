"""oidc.py is the second cross-language peer of the jwtkit interop tests for
client assertions (RFC 7523 section 2.2, private_key_jwt) and OpenID Connect
ID tokens, with PyJWT (Debian's python3-jwt) and cryptography. It is driven by
interop/oidc_test.go and takes the modes, jobs and results of
node/oidc.mjs: a JSON array of jobs on stdin, a JSON array of results on
stdout, one process for all jobs.

at_hash and c_hash are computed here, independently of jwtkit.
"""

import base64
import hashlib
import json
import os
import sys
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm, RSAPSSAlgorithm


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def half_hash(alg, value):
    name = "sha512" if alg in ("EdDSA", "Ed25519") else "sha" + alg[-3:]
    digest = hashlib.new(name, value.encode("ascii")).digest()
    return b64(digest[: len(digest) // 2])


def key_pair(alg):
    """A new private key for alg and its public JWK (a dict with alg and kid)."""
    if alg.startswith("ES"):
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
        key = ec.generate_private_key(curve)
        # Written here, not with ECAlgorithm.to_jwk: PyJWT 2.6 drops the
        # leading zero octets of a coordinate (about half of all P-521 keys),
        # which RFC 7518 section 6.2.1.2 forbids and jwtkit refuses.
        n, size = key.public_key().public_numbers(), (curve.key_size + 7) // 8
        jwk = json.dumps({"kty": "EC", "crv": {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg],
                          "x": b64(n.x.to_bytes(size, "big")), "y": b64(n.y.to_bytes(size, "big"))})
    elif alg == "EdDSA":
        key = ed25519.Ed25519PrivateKey.generate()
        jwk = OKPAlgorithm.to_jwk(key.public_key())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = RSAAlgorithm.to_jwk(key.public_key())
    jwk = json.loads(jwk)
    jwk["alg"], jwk["kid"] = alg, "python-" + alg.lower()
    return key, jwk


def public_key(alg, jwk):
    text = json.dumps(jwk)
    if alg.startswith("ES"):
        return ECAlgorithm.from_jwk(text)
    if alg == "EdDSA":
        return OKPAlgorithm.from_jwk(text)
    if alg.startswith("PS"):
        return RSAPSSAlgorithm.from_jwk(text)
    return RSAAlgorithm.from_jwk(text)


def assertion(job):
    key, jwk = key_pair(job["alg"])
    now = int(time.time())
    claims = {"iss": job["clientId"], "sub": job["clientId"], "aud": job["aud"],
              "jti": b64(os.urandom(16)), "iat": now, "exp": now + 60}
    token = jwt.encode(claims, key, algorithm=job["alg"], headers={"kid": jwk["kid"], "typ": "JWT"})
    return {"alg": job["alg"], "assertion": token, "jwk": jwk}


def verify_assertion(job):
    try:
        claims = jwt.decode(job["assertion"], public_key(job["alg"], job["jwk"]), algorithms=[job["alg"]],
                            audience=job["aud"], issuer=job["clientId"],
                            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]})
        if claims["sub"] != job["clientId"]:
            raise ValueError("sub is not the client")
        if claims["exp"] - claims["iat"] > 300:
            raise ValueError("assertion lives longer than 5 minutes")
        return {"alg": job["alg"], "ok": True}
    except Exception as err:  # the result says why
        return {"alg": job["alg"], "error": "%s: %s" % (type(err).__name__, err)}


def id_token(job):
    key, jwk = key_pair(job["alg"])
    now = int(time.time())
    claims = {"iss": job["issuer"], "sub": "user-1", "aud": job["clientId"], "azp": job["clientId"],
              "nonce": job["nonce"], "iat": now, "exp": now + 600, "auth_time": now - 60,
              "at_hash": half_hash(job["alg"], job["accessToken"]), "c_hash": half_hash(job["alg"], job["code"])}
    token = jwt.encode(claims, key, algorithm=job["alg"], headers={"kid": jwk["kid"], "typ": "JWT"})
    return {"alg": job["alg"], "token": token, "jwk": jwk}


def verify_id_token(job):
    try:
        claims = jwt.decode(job["token"], public_key(job["alg"], job["jwk"]), algorithms=[job["alg"]],
                            audience=job["clientId"], issuer=job["issuer"],
                            options={"require": ["iss", "sub", "aud", "exp", "iat"]})
        if claims.get("nonce") != job["nonce"]:
            raise ValueError("nonce mismatch")
        if claims.get("at_hash") != half_hash(job["alg"], job["accessToken"]):
            raise ValueError("at_hash mismatch")
        return {"alg": job["alg"], "ok": True}
    except Exception as err:  # the result says why
        return {"alg": job["alg"], "error": "%s: %s" % (type(err).__name__, err)}


MODES = {"assert": assertion, "verify-assertion": verify_assertion,
         "idtoken": id_token, "verify-idtoken": verify_id_token}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit("usage: oidc.py assert|verify-assertion|idtoken|verify-idtoken")
    jobs = json.load(sys.stdin)
    json.dump([MODES[sys.argv[1]](job) for job in jobs], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
