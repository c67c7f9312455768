"""Agents: their organisation, display name and token revocation floor.

Agents exist implicitly: any id can be written to. An agent row is created when something
about it must be remembered (an organisation given to ``token_for``, a display name, a
confirmed token rotation). An agent without a row belongs to the emulator's default
organisation and is called ``Agent <id>``.
"""

import sqlite3
from typing import Optional

from .._snowflake import SnowflakeType, generate_snowflake
from ._store import Store, Tx

__all__ = [
    "default_organisation",
    "init_defaults",
    "ensure_agent",
    "organisation_of",
    "display_name_of",
    "revocation_floor_us",
    "set_revocation_floor",
    "self_rotation_enabled",
    "set_self_rotation",
]


def init_defaults(store: Store) -> None:
    """Create the per-database constants on first use (kept across restarts)."""
    store.meta_setdefault("default_organisation_id", lambda: str(generate_snowflake(type_id=SnowflakeType.AGENT)))
    store.meta_setdefault("admin_user_id", lambda: str(generate_snowflake(type_id=SnowflakeType.AGENT)))


def default_organisation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'default_organisation_id'").fetchone()
    return int(row[0])


def ensure_agent(
    tx: Tx, agent_id: int, organisation_id: Optional[int] = None, display_name: Optional[str] = None
) -> None:
    """Record an agent; given values overwrite stored ones, ``None`` leaves them alone."""
    tx.execute("INSERT OR IGNORE INTO agents (agent_id) VALUES (?)", (agent_id,))
    if organisation_id is not None:
        tx.execute("UPDATE agents SET organisation_id = ? WHERE agent_id = ?", (organisation_id, agent_id))
    if display_name is not None:
        tx.execute("UPDATE agents SET display_name = ? WHERE agent_id = ?", (display_name, agent_id))


def organisation_of(conn: sqlite3.Connection, agent_id: int) -> int:
    row = conn.execute("SELECT organisation_id FROM agents WHERE agent_id = ?", (agent_id,)).fetchone()
    if row and row[0] is not None:
        return int(row[0])
    return default_organisation(conn)


def display_name_of(conn: sqlite3.Connection, agent_id: int) -> str:
    row = conn.execute("SELECT display_name FROM agents WHERE agent_id = ?", (agent_id,)).fetchone()
    if row and row[0]:
        return row[0]
    return "Agent {}".format(agent_id)


def revocation_floor_us(conn: sqlite3.Connection, agent_id: int) -> int:
    row = conn.execute("SELECT tokens_valid_from_us FROM agents WHERE agent_id = ?", (agent_id,)).fetchone()
    return int(row[0]) if row else 0


def set_revocation_floor(tx: Tx, agent_id: int, floor_us: int) -> int:
    """Raise (never lower) the agent's floor; returns the floor in force."""
    ensure_agent(tx, agent_id)
    current = revocation_floor_us(tx.conn, agent_id)
    if floor_us > current:
        tx.execute("UPDATE agents SET tokens_valid_from_us = ? WHERE agent_id = ?", (floor_us, agent_id))
        return floor_us
    return current


def self_rotation_enabled(conn: sqlite3.Connection, agent_id: int) -> bool:
    row = conn.execute("SELECT token_self_rotation FROM agents WHERE agent_id = ?", (agent_id,)).fetchone()
    return bool(row[0]) if row else True


def set_self_rotation(tx: Tx, agent_id: int, enabled: bool) -> None:
    ensure_agent(tx, agent_id)
    tx.execute("UPDATE agents SET token_self_rotation = ? WHERE agent_id = ?", (1 if enabled else 0, agent_id))
