import { openTestPg } from '../../helpers/postgres';
import { describeSinkContract } from './sink.contract';

describeSinkContract('pg (PostgreSQL server, COPY over the wire)', async () => openTestPg());
