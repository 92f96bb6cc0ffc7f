"""tools/db-backup.sh and tools/db-restore.sh against the real harness PostgreSQL and customers' real schema."""

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest


ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "tools" / "db-backup.sh"
RESTORE = ROOT / "tools" / "db-restore.sh"


def run(script, *args, env, url=None):
    return subprocess.run(["bash", str(script), *args], env={**env, **({"DATABASE_URL": url} if url else {})},
                          capture_output=True, text=True)


def rows(url) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT id, owner, name, email FROM customers_customer ORDER BY id").fetchall()


def execute(url, *statements) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture
def customers(migrated, manage) -> list[tuple]:
    """Three customers created through the service's own model, on a table emptied first."""
    execute(migrated["DATABASE_URL"], "DELETE FROM customers_customer")
    owner = str(uuid.uuid4())
    manage(migrated, "shell", "-c",
           "from customers.models import Customer\n"
           f"for n in range(3): Customer.objects.create(owner='{owner}', name=f'Ada {{n}}', email=f'ada{{n}}@example.com')")
    created = rows(migrated["DATABASE_URL"])
    assert len(created) == 3
    return created


def test_a_dropped_table_comes_back_with_its_rows(migrated, customers, manage, tool_env, tmp_path):
    url, dump = migrated["DATABASE_URL"], tmp_path / "customers.dump"
    result = run(BACKUP, str(dump), env=tool_env, url=url)
    assert result.returncode == 0, result.stderr
    assert dump.stat().st_size > 0 and not (tmp_path / "customers.dump.partial").exists()

    execute(url, "DROP TABLE customers_customer", "DELETE FROM django_migrations")
    result = run(RESTORE, str(dump), env=tool_env, url=url)
    assert result.returncode == 0, result.stderr

    assert rows(url) == customers
    manage(migrated, "migrate", "--check")  # the service sees its schema fully migrated
    with psycopg.connect(url) as connection:  # constraints and indexes came back with the table
        names = {r[0] for r in connection.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'customers_customer'::regclass")}
        assert "customer_owner_email_uniq" in {r[0] for r in connection.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'")} | names


def test_changed_and_deleted_rows_are_put_back(migrated, customers, tool_env, tmp_path):
    url, dump = migrated["DATABASE_URL"], tmp_path / "customers.dump"
    assert run(BACKUP, url, str(dump), env=tool_env).returncode == 0  # the URL as an argument works too
    first_id = customers[0][0]
    execute(url, f"UPDATE customers_customer SET name = 'changed' WHERE id = '{first_id}'",
            f"DELETE FROM customers_customer WHERE id <> '{first_id}'")
    assert rows(url) != customers
    result = run(RESTORE, url, str(dump), env=tool_env)
    assert result.returncode == 0, result.stderr
    assert rows(url) == customers


def test_a_file_that_is_not_a_dump_is_refused_and_the_database_is_untouched(migrated, customers, tool_env, tmp_path):
    url, junk = migrated["DATABASE_URL"], tmp_path / "junk.dump"
    junk.write_text("not a dump\n")
    result = run(RESTORE, str(junk), env=tool_env, url=url)
    assert result.returncode != 0 and "not a pg_dump custom-format archive" in result.stderr
    missing = run(RESTORE, str(tmp_path / "nope.dump"), env=tool_env, url=url)
    assert missing.returncode != 0 and "no readable dump" in missing.stderr
    assert rows(url) == customers


def test_a_failed_backup_leaves_no_file(migrated, tool_env, tmp_path):
    wrong = migrated["DATABASE_URL"].replace("://customers:", "://customers:wrong", 1)
    dump = tmp_path / "customers.dump"
    result = run(BACKUP, str(dump), env=tool_env, url=wrong)
    assert result.returncode != 0 and "password authentication failed" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_both_scripts_refuse_without_a_database_url(tool_env, tmp_path):
    for script in (BACKUP, RESTORE):
        result = run(script, str(tmp_path / "x.dump"), env={k: v for k, v in tool_env.items() if k != "DATABASE_URL"})
        assert result.returncode != 0 and "DATABASE_URL" in result.stderr
        assert run(script, "mysql://x", str(tmp_path / "x.dump"), env=tool_env).returncode != 0
