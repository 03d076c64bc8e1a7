/** The commit task as a Lambda function (Step Functions invokes it with `payloadResponseOnly` payloads). */
import { commit } from '../../core/movement/tasks';
import { taskHandler } from '../_shared/task-handler';

export const handler = taskHandler(commit);
