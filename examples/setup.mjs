// The project's own test setup: every TypeORM DataSource initialized from now on is
// registered with custodian, so one a test forgets is destroyed after that test.
import { trackDataSources } from 'custodian/typeorm';

trackDataSources();
