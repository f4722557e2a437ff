import test from 'ava';
import { createDynamoDb } from './app-manager-support/dynamodb.js';
import { appManagerScenarios } from './app-manager-support/scenarios.js';

// The dynamodb app manager against dynalite (in-memory DynamoDB, started by the test on 127.0.0.1),
// with soketi's table, index and item format (flags as binary 'true'/'false').
appManagerScenarios(test, createDynamoDb);
