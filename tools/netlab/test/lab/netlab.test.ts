import { discovery, DISCOVERY_EXPECTATION } from './scenarios/discovery.js';
import { labScenario } from './support/labTest.js';

labScenario('1 discovery across hosts', DISCOVERY_EXPECTATION, discovery);
