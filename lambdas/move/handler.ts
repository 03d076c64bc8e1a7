/** The move task as a Lambda function (Step Functions invokes it with `payloadResponseOnly` payloads). */
import { move } from '../../core/movement/tasks';
import { taskHandler } from '../_shared/task-handler';

export const handler = taskHandler(move);
