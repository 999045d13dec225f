"""The checkpoint signing key: Ed25519, created on first use, kept in a file outside the database.

Formats are those of the C2SP signed-note ecosystem (Go's ``note`` package):

* signer key (the file): ``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>``;
* verifier key (printable, given to outsiders):
  ``<name>+<key id hex>+<base64(0x01 || public key)>``;

where the key id is the first 4 bytes of SHA-256(name || "\\n" || 0x01 ||
public key) and 0x01 is the Ed25519 algorithm byte. The file is created with
mode 0600 and refused if others may read it.

Where the file is: ``LEDGER_KEY_FILE`` if set; else ``LEDGER_KEY_DIR`` (or,
for an SQLite ledger, the folder of its database file; for PostgreSQL
``~/.local/share/ledger``) holding ``<database>.signing-key``. The key's name
(``LEDGER_KEY_NAME``, default ``ledger``) is the checkpoint's signer name.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.proof.store import Location

ED25519 = b"\x01"


class KeyFileError(ValueError):
    """A key file or verifier key is missing, malformed or unsafe (message in Chinese)."""


def key_id(name: str, public: bytes) -> bytes:
    """C2SP signed-note key id: 4 bytes of SHA-256(name || LF || 0x01 || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise KeyFileError(f"密钥名称 {name!r} 无效:不能为空,不能含空白或 '+'")
    return name


@dataclass(frozen=True)
class VerifierKey:
    """A signer's name and Ed25519 public key: what outsiders need to check checkpoints."""

    name: str
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def text(self) -> str:
        """The verifier key in the signed-note text form."""
        encoded = base64.b64encode(ED25519 + self.public).decode()
        return f"{self.name}+{self.id.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read ``name+hexid+base64key``; the id must match the key."""
        parts = text.strip().split("+", 2)
        try:
            name, hex_id, encoded = parts
            raw = base64.b64decode(encoded, validate=True)
            given_id = bytes.fromhex(hex_id)
        except ValueError:
            raise KeyFileError("公钥格式错误:应为 名称+8位十六进制编号+Base64公钥") from None
        if raw[:1] != ED25519 or len(raw) != 33:
            raise KeyFileError("公钥不是 Ed25519 公钥")
        key = cls(_check_name(name), raw[1:])
        if key.id != given_id:
            raise KeyFileError("公钥编号与公钥内容不符")
        return key

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """The ledger's private signing key and its name."""

    name: str
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> VerifierKey:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, public)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def text(self) -> str:
        """The signer key in the signed-note text form (secret)."""
        seed = self.private.private_bytes_raw()
        encoded = base64.b64encode(ED25519 + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise KeyFileError("私钥文件格式错误")
        try:
            raw = base64.b64decode(parts[4], validate=True)
        except ValueError:
            raise KeyFileError("私钥文件格式错误:Base64 无效") from None
        if raw[:1] != ED25519 or len(raw) != 33:
            raise KeyFileError("私钥不是 Ed25519 私钥")
        key = cls(_check_name(parts[2]), Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if key.verifier.id.hex() != parts[3]:
            raise KeyFileError("私钥文件的编号与密钥不符")
        return key


def default_path(location: Location) -> Path:
    """Where the signing key of this database lives (see the module docstring)."""
    if os.environ.get("LEDGER_KEY_FILE"):
        return Path(os.environ["LEDGER_KEY_FILE"])
    folder = os.environ.get("LEDGER_KEY_DIR")
    if location.dialect == "postgres":
        p = location.postgres
        name = f"ledger-{p['host']}-{p['port']}-{p['dbname']}-{location.schema or 'public'}"
        return Path(folder or Path.home() / ".local/share/ledger") / f"{name}.signing-key"
    if "mode=memory" in location.sqlite_name:
        raise KeyFileError("内存数据库没有存放密钥的位置:请设置 LEDGER_KEY_FILE 或 LEDGER_KEY_DIR")
    database = Path(location.sqlite_name.removeprefix("file:").split("?")[0]).resolve()
    return Path(folder or database.parent) / f"{database.name}.signing-key"


def load_or_create(path: Path, name: str | None = None) -> SigningKey:
    """The signing key in ``path``; a new one is made (mode 0600) if the file is missing."""
    if not path.exists():
        return _create(path, _check_name(name or os.environ.get("LEDGER_KEY_NAME") or "ledger"))
    return load(path)


def load(path: Path) -> SigningKey:
    """The signing key in ``path``, refused if group or others may read it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"找不到私钥文件 {path}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"私钥文件 {path} 的权限过宽({oct(mode & 0o777)}),应为 0600")
    return SigningKey.parse(path.read_text())


def _create(path: Path, name: str) -> SigningKey:
    key = SigningKey(name, Ed25519PrivateKey.generate())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes creating at once keep one key, never two.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load(path)
    with os.fdopen(fd, "w") as file:
        file.write(key.text() + "\n")
    return key
