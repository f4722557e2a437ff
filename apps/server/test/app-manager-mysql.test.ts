import test from 'ava';
import { createMysql } from './app-manager-support/databases.js';
import { appManagerScenarios } from './app-manager-support/scenarios.js';

// The mysql app manager against the MariaDB/MySQL server on this machine's standard port.
appManagerScenarios(test, createMysql);
