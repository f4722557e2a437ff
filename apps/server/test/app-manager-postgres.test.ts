import test from 'ava';
import { createPostgres } from './app-manager-support/databases.js';
import { databasesAvailable } from './app-manager-support/availability.js';
import { appManagerScenarios } from './app-manager-support/scenarios.js';

// The postgres app manager against the PostgreSQL server on this machine's standard port.
if (await databasesAvailable(test, ['postgres'])) appManagerScenarios(test, createPostgres);
