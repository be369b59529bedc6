"""No name, phone number or text of an export reaches the chat table or files made from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.chats import read_chat, write_chat
from sim.chats.names import normalise, pseudonym

SAMPLES = Path(__file__).parent / "samples"

# every name, phone number and distinctive phrase in each sample
SECRETS = {
    "whatsapp_android.txt": [
        "Alice Chen", "Alice", "Bob Miller", "Miller", "王小明", "Carla Díaz", "Carla", "Díaz",
        "David Okafor", "Okafor", "李娜", "Jenny", "+1 555 0134", "555 0134",
        "Hiking Buddies", "徒步群", "Mission Peak", "Stanford Ave", "maps.example.org",
        "Strava", "Mount Diablo", "Rancho San Antonio", "日落", "风景照片"],
    "whatsapp_ios.txt": [
        "Sophie Martin", "Sophie", "Liam O'Brien", "Brien", "陈静", "Marco Rossi", "Rossi",
        "Yuki Tanaka", "Tanaka", "Hannah Berg", "Hannah", "Priya", "+44 7700 900123",
        "7700 900123", "Book Club", "读书会", "Klara", "Ishiguro", "Elm Street",
        "Sura Siu", "audible", "Faber", "机器人的眼睛"],
    "telegram_result.json": [
        "Anna Kowalski", "Kowalski", "张伟", "Tom Becker", "Becker", "Maria Silva", "Silva",
        "Kenji Watanabe", "Watanabe", "Olga Petrova", "Petrova", "Ivan Sokolov", "Sokolov",
        "5012345671", "Rust 学习小组", "doc.rust-lang.org", "kaisery", "E0502",
        "borrow checker", "Neovim", "rust-structs", "Привет", "所有权移走"],
    "wechat_memotrace.csv": [
        "张三", "李四", "王五", "刘洋", "赵六", "Emily Zhang", "Emily", "孙七", "周八",
        "wxid_k3j2h1zhangsan", "wxid_liuyang1990", "wxid", "产品经理交流群", "Figma", "Axure",
        "RICE", "Confluence", "Shenzhen", "理财产品", "ux-research-2024", "interview-guide",
        "4411223344556677", "chatroom"],
    "discord_general.json": [
        "pixelpanda", "Pixel Panda", "lena.dev", "Lena", "xiaolong_88", "小龙", "gorka",
        "Gorka Etxeberria", "marta_k", "Marta", "Kowalczyk", "samir", "Samir Haddad",
        "tomasz", "Tomasz Nowak", "402771338119413761", "Indie Game Devs", "Godot",
        "farm_screenshot", "devlog", "godotengine", "Wumpus", "像素风"],
    "generic_neighbours.csv": [
        "Grace Liu", "Grace", "Omar Haddad", "Omar", "黄丽", "Peter Novak", "Novak",
        "Fatima Bello", "Fatima", "陈明", "Rosa Alvarez", "Rosa", "Maple Street", "grey cat",
        "lemon cake", "maple-street-party", "烧烤架", "花园"],
}


def forms(secret: str) -> set[bytes]:
    """The ways a secret could be stored: as written, lower case, normalised, UTF-16."""
    texts = {secret, secret.lower(), normalise(secret)}
    return {t.encode(encoding) for t in texts for encoding in ("utf-8", "utf-16-le")}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_secrets_appear_in_the_sample_but_nowhere_after_reading(tmp_path, name):
    raw = (SAMPLES / name).read_bytes()
    for secret in SECRETS[name]:  # the list is honest: each is in the sample
        assert secret.encode("utf-8") in raw, secret
    log = read_chat(SAMPLES / name)
    log.messages.to_parquet(tmp_path / "messages.parquet", index=False)
    log.events.to_parquet(tmp_path / "events.parquet", index=False)
    log.messages.to_csv(tmp_path / "messages.csv", index=False)
    log.events.to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "describe.txt").write_text(f"{log!r}\n{log.describe()}\n{log.members()}\n"
                                           f"{log.platform_limits}\n{log.source}",
                                           encoding="utf-8")
    written = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    for secret in SECRETS[name]:
        for form in forms(secret):
            for file, data in written.items():
                assert form not in data, f"{secret!r} found in {file}"


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_no_text_column_and_only_pseudonyms(name):
    log = read_chat(SAMPLES / name)
    assert "text" not in log.messages.columns
    assert all(str(column) in {"time", "member", "message_id", "reply_to", "length",
                               "has_link", "is_question", "off_topic", "is_media"}
               for column in log.messages.columns)
    for member in log.members():
        assert member.startswith("m-") and len(member) == 10
        int(member[2:], 16)


def test_written_exports_hold_only_what_the_table_holds(tmp_path):
    log = read_chat(SAMPLES / "telegram_result.json")
    for fmt in ("whatsapp", "telegram", "wechat", "discord", "csv", "whatsapp-android"):
        data = write_chat(log, fmt, tmp_path / f"out.{fmt}").read_bytes()
        for secret in SECRETS["telegram_result.json"]:
            for form in forms(secret):
                assert form not in data, (fmt, secret)


def test_one_salt_one_set_of_pseudonyms():
    path = SAMPLES / "whatsapp_ios.txt"
    first, again = read_chat(path, salt=b"k"), read_chat(path, salt=b"k")
    assert first.members() == again.members()
    assert pseudonym("Sophie Martin", b"k") in first.members()
    other = read_chat(path, salt=b"other key")
    assert not set(first.members()) & set(other.members())
    random_a, random_b = read_chat(path), read_chat(path)  # a new random salt each time
    assert not set(random_a.members()) & set(random_b.members())
    assert random_a.describe() == random_b.describe() == first.describe()


def test_the_same_person_written_differently_is_one_member():
    salt = b"k"
    assert pseudonym("\u202a+1 (555) 010-0123\u202c", salt) == pseudonym("+15550100123", salt)
    assert pseudonym("  Alice   Chen ", salt) == pseudonym("alice chen", salt)
    assert pseudonym("~\u202fAlice Chen", salt) == pseudonym("Alice Chen", salt)
    assert pseudonym("Alice Chen", salt) != pseudonym("Alice Cheng", salt)


def test_pseudonym_clashes_are_resolved_by_lengthening():
    from sim.chats.names import Pseudonyms

    made = Pseudonyms(b"k")
    made._taken.add(pseudonym("Alice", b"k"))  # pretend another name took Alice's hash
    assert made("Alice") == pseudonym("Alice", b"k", digits=12)
