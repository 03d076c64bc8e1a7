/** The plan task as a Lambda function (Step Functions invokes it with `payloadResponseOnly` payloads). */
import { plan } from '../../core/movement/tasks';
import { taskHandler } from '../_shared/task-handler';

export const handler = taskHandler(plan);
