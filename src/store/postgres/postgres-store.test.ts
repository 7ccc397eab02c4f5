// Runs the one store conformance suite and the blob-store suite against PostgreSQL. Each run gets
// a database of its own on 127.0.0.1:5432 (YOUJU_TEST_PG_URL); unreachable PostgreSQL fails, never skips.
import { runBayesContract } from '../contract/bayes.contract.ts';
import { runBlobStoreContract } from '../contract/blob-store.contract.ts';
import { runContactsContract } from '../contract/contacts.contract.ts';
import { runCustomersContract } from '../contract/customers.contract.ts';
import { runCollectContract } from '../contract/collect.contract.ts';
import { runFulltextContract } from '../contract/fulltext.contract.ts';
import { runMessageSearchContract } from '../contract/message-search.contract.ts';
import { runImportContract } from '../contract/import.contract.ts';
import { runMailflowContract } from '../contract/mailflow.contract.ts';
import { runProtectionContract } from '../contract/protection.contract.ts';
import { runStoreContract } from '../contract/store.contract.ts';
import { runWebContract } from '../contract/web.contract.ts';
import { runAdminContract } from '../contract/admin.contract.ts';
import { openTestStore } from '../testing.ts';

runStoreContract('postgres', () => openTestStore('postgres'));
runBlobStoreContract('postgres', () => openTestStore('postgres'));
runMailflowContract('postgres', () => openTestStore('postgres'));
runFulltextContract('postgres', () => openTestStore('postgres'));
runMessageSearchContract('postgres', () => openTestStore('postgres'));
runCollectContract('postgres', () => openTestStore('postgres'));
runImportContract('postgres', () => openTestStore('postgres'));
runProtectionContract('postgres', () => openTestStore('postgres'));
runWebContract('postgres', () => openTestStore('postgres'));
runAdminContract('postgres', () => openTestStore('postgres'));
runBayesContract('postgres', () => openTestStore('postgres'));
runContactsContract('postgres', () => openTestStore('postgres'));
runCustomersContract('postgres', () => openTestStore('postgres'));
