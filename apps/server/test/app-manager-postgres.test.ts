import test from 'ava';
import { createPostgres } from './app-manager-support/databases.js';
import { appManagerScenarios } from './app-manager-support/scenarios.js';

// The postgres app manager against the PostgreSQL server on this machine's standard port.
appManagerScenarios(test, createPostgres);
