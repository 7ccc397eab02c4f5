// Runs the one store conformance suite and the blob-store suite against the embedded backend.
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

runStoreContract('sqlite', () => openTestStore('sqlite'));
runBlobStoreContract('sqlite', () => openTestStore('sqlite'));
runMailflowContract('sqlite', () => openTestStore('sqlite'));
runFulltextContract('sqlite', () => openTestStore('sqlite'));
runMessageSearchContract('sqlite', () => openTestStore('sqlite'));
runCollectContract('sqlite', () => openTestStore('sqlite'));
runImportContract('sqlite', () => openTestStore('sqlite'));
runProtectionContract('sqlite', () => openTestStore('sqlite'));
runWebContract('sqlite', () => openTestStore('sqlite'));
runAdminContract('sqlite', () => openTestStore('sqlite'));
runBayesContract('sqlite', () => openTestStore('sqlite'));
runContactsContract('sqlite', () => openTestStore('sqlite'));
runCustomersContract('sqlite', () => openTestStore('sqlite'));
