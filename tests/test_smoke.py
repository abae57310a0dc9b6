def test_add_then_list_shows_the_contact(cli, db_path):
    added = cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    assert added.exit_code == 0, added.stderr
    assert added.stdout == "added contact 1 Ada Lovelace\n"
    listed = cli("contact", "list")
    assert listed.stdout.split("\t")[:3] == ["1", "Ada Lovelace", "ada@example.org"]
    assert db_path.exists()
