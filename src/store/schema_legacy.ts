/**
 * The four tables of the original Python goippy, exactly as it created them
 * (migration step 1). On a database that already holds them nothing happens.
 *
 * @module
 */

import type { Dialect } from "./types.ts";

/** `CREATE TABLE IF NOT EXISTS` statements of the original tables. */
export function legacyTables(dialect: Dialect): string[] {
  return LEGACY[dialect];
}

const SQLITE = [
  `CREATE TABLE IF NOT EXISTS goippy_gateways (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ext TEXT UNIQUE,
    goip_id TEXT UNIQUE,
    goip_pass TEXT,
    channel INTEGER,
    msisdn TEXT,
    allow_regex TEXT DEFAULT '.*',
    enabled INTEGER DEFAULT 1,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
  `CREATE TABLE IF NOT EXISTS goippy_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER,
    goip_id TEXT,
    ext TEXT,
    direction INTEGER,
    remote_num TEXT,
    cause TEXT,
    msisdn TEXT,
    raw TEXT,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
  `CREATE TABLE IF NOT EXISTS goippy_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dir TEXT,
    msisdn TEXT,
    xmpp_jid TEXT,
    body TEXT,
    status TEXT,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
  `CREATE TABLE IF NOT EXISTS goippy_state (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    goip_id TEXT UNIQUE,
    ext TEXT,
    msisdn TEXT,
    gsm_signal INTEGER,
    gsm_status TEXT,
    voip_status TEXT,
    voip_state TEXT,
    remain_time INTEGER,
    provider TEXT,
    disable_status INTEGER,
    updated_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
];

const TAIL = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

const MYSQL = [
  `CREATE TABLE IF NOT EXISTS goippy_gateways (
    id INT AUTO_INCREMENT PRIMARY KEY,
    ext VARCHAR(32) UNIQUE,
    goip_id VARCHAR(64) UNIQUE,
    goip_pass VARCHAR(64),
    channel INT,
    msisdn VARCHAR(32),
    allow_regex VARCHAR(255) DEFAULT '.*',
    enabled TINYINT(1) DEFAULT 1,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP) ${TAIL}`,
  `CREATE TABLE IF NOT EXISTS goippy_calls (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    ts INT,
    goip_id VARCHAR(64),
    ext VARCHAR(32),
    direction TINYINT,
    remote_num VARCHAR(32),
    cause VARCHAR(32),
    msisdn VARCHAR(32),
    raw VARCHAR(255),
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP) ${TAIL}`,
  `CREATE TABLE IF NOT EXISTS goippy_log (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    dir ENUM('in','out'),
    msisdn VARCHAR(32),
    xmpp_jid VARCHAR(255),
    body TEXT,
    status VARCHAR(64),
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP) ${TAIL}`,
  `CREATE TABLE IF NOT EXISTS goippy_state (
    id INT AUTO_INCREMENT PRIMARY KEY,
    goip_id VARCHAR(64) UNIQUE,
    ext VARCHAR(32),
    msisdn VARCHAR(32),
    gsm_signal INT,
    gsm_status VARCHAR(32),
    voip_status VARCHAR(32),
    voip_state VARCHAR(64),
    remain_time INT,
    provider VARCHAR(64),
    disable_status TINYINT(1),
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP) ${TAIL}`,
];

const LEGACY: Record<Dialect, string[]> = { sqlite: SQLITE, mysql: MYSQL };
