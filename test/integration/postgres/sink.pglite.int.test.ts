import { openTestPglite } from '../../helpers/postgres';
import { describeSinkContract } from './sink.contract';

describeSinkContract('PGlite (embedded, COPY through /dev/blob)', () => openTestPglite());
