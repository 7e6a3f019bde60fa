"""Keystores and passwords: round trips, every refusal with its code, and no key ever shown."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from origincert import keys
from origincert.cli import main
from origincert.errors import KeystoreError
from origincert.keys import KDF_WORK, create_keystore, keystore_address, load_signer, read_password

PASSWORD = "correct horse battery staple"


@pytest.fixture
def keystore(tmp_path: Path) -> Path:
    path = tmp_path / "chamber.json"
    create_keystore(path, PASSWORD, kdf_work="unsafe_light")
    return path


def secret_of(path: Path) -> bytes:
    """The key inside a keystore, unlocked with eth-account itself (not the code under test)."""
    return bytes(Account.decrypt(json.loads(path.read_text()), PASSWORD))


def assert_code(exc: pytest.ExceptionInfo[KeystoreError], code: str) -> None:
    assert exc.value.code == code, exc.value


# ------------------------------------------------------------------ create and load


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    address = create_keystore(path, PASSWORD, kdf_work="unsafe_light")
    assert load_signer(path, PASSWORD).address == address == keystore_address(path)
    assert Account.from_key(secret_of(path)).address == address


def test_file_is_private_scrypt_v3_and_holds_no_plain_key(keystore: Path) -> None:
    assert stat.S_IMODE(keystore.stat().st_mode) == 0o600
    data = json.loads(keystore.read_text())
    assert data["version"] == 3
    assert data["crypto"]["kdf"] == "scrypt"
    assert data["crypto"]["kdfparams"]["n"] == KDF_WORK["unsafe_light"]
    assert secret_of(keystore).hex() not in keystore.read_text().lower()
    assert [p.name for p in keystore.parent.iterdir()] == [
        keystore.name
    ]  # no temp file left behind


def test_standard_work_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    real = Account.encrypt

    def spy(key, password, kdf=None, iterations=None):  # type: ignore[no-untyped-def]
        seen.update(kdf=kdf, iterations=iterations)
        return real(
            key, password, kdf=kdf, iterations=KDF_WORK["unsafe_light"]
        )  # keep the test fast

    monkeypatch.setattr(keys.Account, "encrypt", staticmethod(spy))
    create_keystore(tmp_path / "k.json", PASSWORD)
    assert seen == {"kdf": "scrypt", "iterations": 2**18}


def test_light_work_warns_and_names_itself(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="origincert.keys"):
        create_keystore(tmp_path / "k.json", PASSWORD, kdf_work="unsafe_light")
    assert any(
        "unsafe_light" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )


def test_parent_directories_are_created_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "council" / "1.json"
    create_keystore(path, PASSWORD, kdf_work="unsafe_light")
    assert path.is_file()
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


def test_existing_keystore_is_kept_unless_overwrite(keystore: Path) -> None:
    before = keystore.read_bytes()
    with pytest.raises(KeystoreError, match="already exists") as exc:
        create_keystore(keystore, PASSWORD, kdf_work="unsafe_light")
    assert_code(exc, "keystore_exists")
    assert keystore.read_bytes() == before
    new_address = create_keystore(keystore, PASSWORD, overwrite=True, kdf_work="unsafe_light")
    assert keystore_address(keystore) == new_address
    assert stat.S_IMODE(keystore.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("password", "work", "code"),
    [("", "unsafe_light", "password_empty"), (PASSWORD, "light", "kdf_work_invalid")],
)
def test_create_refuses_bad_arguments(tmp_path: Path, password: str, work: str, code: str) -> None:
    with pytest.raises(KeystoreError) as exc:
        create_keystore(tmp_path / "k.json", password, kdf_work=work)  # type: ignore[arg-type]
    assert_code(exc, code)
    assert not (tmp_path / "k.json").exists()


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(KeystoreError, match="cannot write keystore") as exc:
        create_keystore(blocker / "k.json", PASSWORD, kdf_work="unsafe_light")
    assert_code(exc, "keystore_unwritable")


def test_wrong_password_names_the_file_never_the_key(keystore: Path) -> None:
    with pytest.raises(KeystoreError) as exc:
        load_signer(keystore, "wrong")
    assert_code(exc, "wrong_password")
    assert str(keystore) in str(exc.value)
    assert exc.value.__cause__ is None and exc.value.__suppress_context__
    assert secret_of(keystore).hex() not in str(exc.value)


def test_missing_keystore(tmp_path: Path) -> None:
    with pytest.raises(KeystoreError, match="does not exist") as exc:
        load_signer(tmp_path / "nope.json", PASSWORD)
    assert_code(exc, "keystore_missing")
    with pytest.raises(KeystoreError) as exc:
        keystore_address(tmp_path / "nope.json")
    assert_code(exc, "keystore_missing")


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(version=4),
        lambda d: d.pop("crypto"),
        lambda d: d.pop("address"),
        lambda d: d.update(address="0x1234"),
        lambda d: d["crypto"].update(cipher="aes-256-gcm"),
        lambda d: d["crypto"].update(ciphertext="zz" * 32),
        lambda d: d["crypto"].update(mac="00"),
        lambda d: d["crypto"].update(kdf="argon2"),
        lambda d: d["crypto"]["kdfparams"].update(
            n=2**30
        ),  # would need 128 GiB: refused, not attempted
        lambda d: d["crypto"]["kdfparams"].update(n=1000),
        lambda d: d["crypto"]["kdfparams"].update(p=10**6),
        lambda d: d["crypto"]["kdfparams"].pop("salt"),
        lambda d: d["crypto"]["cipherparams"].update(iv="00"),
    ],
    ids=[
        "v4",
        "no-crypto",
        "no-address",
        "short-address",
        "cipher",
        "ciphertext",
        "mac",
        "kdf",
        "huge-n",
        "n-not-power-of-2",
        "huge-p",
        "no-salt",
        "iv",
    ],
)
def test_malformed_keystores_are_refused(keystore: Path, change) -> None:  # type: ignore[no-untyped-def]
    _edit(keystore, change)
    with pytest.raises(KeystoreError) as exc:
        load_signer(keystore, PASSWORD)
    assert_code(exc, "keystore_malformed")
    assert str(keystore) in str(exc.value)


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"[1, 2]", b"\xff\xfe binary", b'{"version": 3}']
)
def test_non_keystore_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "k.json"
    path.write_bytes(content)
    with pytest.raises(KeystoreError) as exc:
        load_signer(path, PASSWORD)
    assert_code(exc, "keystore_malformed")


def test_a_directory_is_not_a_keystore(tmp_path: Path) -> None:
    with pytest.raises(KeystoreError) as exc:
        load_signer(tmp_path, PASSWORD)
    assert_code(exc, "keystore_malformed")


def test_address_field_must_match_the_key(keystore: Path) -> None:
    _edit(keystore, lambda d: d.update(address="11" * 20))
    with pytest.raises(KeystoreError, match="holds the key of another address") as exc:
        load_signer(keystore, PASSWORD)
    assert_code(exc, "keystore_malformed")


def test_geth_style_keystores_load(tmp_path: Path) -> None:
    """pbkdf2 keystores and the old capitalised "Crypto" section, as other tools write them."""
    account = Account.create()
    for name, data in {
        "pbkdf2.json": Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=1000),
        "capital.json": Account.encrypt(account.key, PASSWORD, kdf="scrypt", iterations=1024),
    }.items():
        if name == "capital.json":
            data["Crypto"] = data.pop("crypto")
        (tmp_path / name).write_text(json.dumps(data))
        assert load_signer(tmp_path / name, PASSWORD).address == account.address


def test_key_never_reaches_logs_or_reprs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "k.json"
    with caplog.at_level(logging.DEBUG):
        create_keystore(path, PASSWORD, kdf_work="unsafe_light")
        signer = load_signer(path, PASSWORD)
        with pytest.raises(KeystoreError):
            load_signer(path, "wrong")
    key_hex = secret_of(path).hex()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert signer.address in logged  # the log says which key, by address
    for shown in (logged, repr(signer), str(signer)):
        assert key_hex not in shown.lower()


# ------------------------------------------------------------------ passwords


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"pw", "pw"),
        (b"pw\n", "pw"),
        (b"pw\r\n", "pw"),
        (b"pw\n\n", "pw\n"),
        (b" pw \n", " pw "),
        ("p\u00e4ss\n".encode(), "p\u00e4ss"),
    ],
)
def test_password_file_strips_one_trailing_newline(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    assert read_password(prompt=False, file=write(tmp_path / "pw", content), env=None) == expected


def test_password_file_beats_env_beats_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OC_TEST_PW", "from-env")
    monkeypatch.setattr(keys.getpass, "getpass", lambda prompt="": pytest.fail("must not prompt"))
    assert (
        read_password(prompt=True, file=write(tmp_path / "pw", b"from-file\n"), env="OC_TEST_PW")
        == "from-file"
    )
    assert read_password(prompt=True, file=None, env="OC_TEST_PW") == "from-env"


def test_prompt_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OC_TEST_PW", raising=False)
    monkeypatch.setattr(keys.getpass, "getpass", lambda prompt="": "typed")
    monkeypatch.setattr(keys.sys.stdin, "isatty", lambda: True, raising=False)
    assert read_password(prompt=True, file=None, env="OC_TEST_PW") == "typed"
    monkeypatch.setattr(keys.sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(KeystoreError, match="set OC_TEST_PW or give a password file") as exc:
        read_password(prompt=True, file=None, env="OC_TEST_PW")
    assert_code(exc, "password_unavailable")


def test_no_prompt_wanted_and_no_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys.sys.stdin, "isatty", lambda: True, raising=False)
    with pytest.raises(KeystoreError) as exc:
        read_password(prompt=False, file=None, env=None)
    assert_code(exc, "password_unavailable")


def test_confirmation_must_match(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["first", "second"])
    monkeypatch.setattr(keys.getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(keys.sys.stdin, "isatty", lambda: True, raising=False)
    with pytest.raises(KeystoreError) as exc:
        read_password(prompt=True, file=None, env=None, confirm=True)
    assert_code(exc, "password_mismatch")


def test_password_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OC_TEST_EMPTY", "")
    cases: list[tuple[str | None, str | None, str]] = [
        (str(tmp_path / "absent"), None, "password_file_missing"),
        (write(tmp_path / "bin", b"\xff\xfe"), None, "password_file_unreadable"),
        (str(tmp_path), None, "password_file_unreadable"),
        (write(tmp_path / "empty", b"\n"), None, "password_empty"),
        (None, "OC_TEST_EMPTY", "password_empty"),
    ]
    for file, env, code in cases:
        with pytest.raises(KeystoreError) as exc:
            read_password(prompt=False, file=file, env=env)
        assert_code(exc, code)


# ------------------------------------------------------------------ CLI


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_new_then_show(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "keys" / "deployer.json"
    pw = write(tmp_path / "pw", b"quiet amber lantern\n")
    result = runner.invoke(
        main, ["keys", "new", str(out), "--password-file", pw, "--unsafe-light-kdf"]
    )
    assert result.exit_code == 0, result.output
    address = result.stdout.strip()
    assert load_signer(out, "quiet amber lantern").address == address
    shown = runner.invoke(main, ["keys", "show", str(out)])
    assert shown.exit_code == 0 and shown.stdout.strip() == address


def test_cli_new_from_env_and_force(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "k.json"
    args = ["keys", "new", str(out), "--password-env", "OC_TEST_PW", "--unsafe-light-kdf"]
    first = runner.invoke(main, args, env={"OC_TEST_PW": "harbour pilot mango"})
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, args, env={"OC_TEST_PW": "harbour pilot mango"})
    assert again.exit_code == 1 and "[keystore_exists]" in again.output
    forced = runner.invoke(main, [*args, "--force"], env={"OC_TEST_PW": "harbour pilot mango"})
    assert forced.exit_code == 0 and forced.stdout.strip() != first.stdout.strip()
    assert load_signer(out, "harbour pilot mango").address == forced.stdout.strip()


def test_cli_errors_are_codes_not_tracebacks(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(main, ["keys", "show", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "[keystore_missing]" in missing.output
    assert "Traceback" not in missing.output
    no_password = runner.invoke(
        main, ["keys", "new", str(tmp_path / "k.json")], env={"ORIGINCERT_PASSWORD": None}, input=""
    )
    assert no_password.exit_code == 1 and "[password_unavailable]" in no_password.output
    assert not (tmp_path / "k.json").exists()


def test_cli_show_needs_no_password_and_prints_no_secret(runner: CliRunner, keystore: Path) -> None:
    result = runner.invoke(main, ["keys", "show", str(keystore)], env={"ORIGINCERT_PASSWORD": None})
    assert result.exit_code == 0
    assert result.stdout.strip() == keystore_address(keystore)
    assert secret_of(keystore).hex() not in result.output.lower()


def test_umask_does_not_loosen_the_mode(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        create_keystore(tmp_path / "k.json", PASSWORD, kdf_work="unsafe_light")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k.json").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("abc", "password_too_short"),
        ("password1234", "password_too_weak"),
        ("aaaaaaaaaaaaaaaa", "password_too_weak"),
        ("qwertyuiopasdf", "password_too_weak"),
    ],
)
def test_a_weak_password_is_refused_with_a_reason(tmp_path: Path, password: str, code: str) -> None:
    with pytest.raises(KeystoreError) as exc:
        create_keystore(tmp_path / "k.json", password, kdf_work="unsafe_light")
    assert_code(exc, code)
    assert "password" in str(exc.value) and not (tmp_path / "k.json").exists()


def test_keys_new_refuses_abc_with_a_clear_message(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from origincert.cli import main

    result = CliRunner().invoke(
        main,
        ["keys", "new", str(tmp_path / "weak.json"), "--unsafe-light-kdf"],
        env={"ORIGINCERT_PASSWORD": "abc"},
    )
    assert result.exit_code == 1
    assert "[password_too_short] the password must have at least 12 characters" in result.output
    assert not (tmp_path / "weak.json").exists()
