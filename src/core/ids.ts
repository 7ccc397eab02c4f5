/** Branded identifiers: a MailboxId cannot be passed where a UserId is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DomainId = Brand<number, 'DomainId'>;
export type UserId = Brand<number, 'UserId'>;
export type MailboxId = Brand<number, 'MailboxId'>;
export type MessageId = Brand<number, 'MessageId'>;
export type ListId = Brand<number, 'ListId'>;
export type OrgUnitId = Brand<number, 'OrgUnitId'>;
export type AdminId = Brand<number, 'AdminId'>;
export type QueueId = Brand<number, 'QueueId'>;
export type QuarantineId = Brand<number, 'QuarantineId'>;
/** Lower-case hex SHA-256 of the raw message bytes. */
export type BlobId = Brand<string, 'BlobId'>;
export type PopAccountId = Brand<number, 'PopAccountId'>;
export type ImportJobId = Brand<number, 'ImportJobId'>;
export type ImportAccountId = Brand<number, 'ImportAccountId'>;
export type ImportFolderId = Brand<number, 'ImportFolderId'>;
export type ContactId = Brand<number, 'ContactId'>;
export type ReplyTemplateId = Brand<number, 'ReplyTemplateId'>;
export type ContactGroupId = Brand<number, 'ContactGroupId'>;
export type CustomerId = Brand<number, 'CustomerId'>;
export type CustomerCategoryId = Brand<number, 'CustomerCategoryId'>;
