import { IcefloeError } from '../../errors';

/** An atomic create (`ifNoneMatch: '*'`) found the object already there: someone else committed first. */
export class AlreadyExistsError extends IcefloeError {
  override readonly name: string = 'AlreadyExistsError';
}
