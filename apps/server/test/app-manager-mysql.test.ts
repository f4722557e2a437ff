import test from 'ava';
import { createMysql } from './app-manager-support/databases.js';
import { databasesAvailable } from './app-manager-support/availability.js';
import { appManagerScenarios } from './app-manager-support/scenarios.js';

// The mysql app manager against the MariaDB/MySQL server on this machine's standard port.
if (await databasesAvailable(test, ['mysql'])) appManagerScenarios(test, createMysql);
