import { discovery, DISCOVERY_EXPECTATION } from './scenarios/discovery.js';
import { flapping, FLAPPING_EXPECTATION } from './scenarios/flapping.js';
import { isolation, ISOLATION_EXPECTATION } from './scenarios/isolation.js';
import { longPartition, LONG_PARTITION_EXPECTATION } from './scenarios/longPartition.js';
import { nearTimeout, NEAR_TIMEOUT_EXPECTATION } from './scenarios/nearTimeout.js';
import { partition, PARTITION_EXPECTATION } from './scenarios/partition.js';
import { processFaults, PROCESS_FAULTS_EXPECTATION } from './scenarios/processFaults.js';
import { labScenario } from './support/labTest.js';

labScenario('1 discovery across hosts', DISCOVERY_EXPECTATION, discovery);
labScenario('2 isolation and heal', ISOLATION_EXPECTATION, isolation);
labScenario('3 partial partition a–b', PARTITION_EXPECTATION, partition);
labScenario('3b long partial partition, one static seed', LONG_PARTITION_EXPECTATION, longPartition);
labScenario('4 flapping link a–b', FLAPPING_EXPECTATION, flapping);
labScenario('4b cuts around the node timeout', NEAR_TIMEOUT_EXPECTATION, nearTimeout);
labScenario('6 paused and restarted processes', PROCESS_FAULTS_EXPECTATION, processFaults);
