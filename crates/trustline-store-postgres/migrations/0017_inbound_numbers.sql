-- Inbound numbers are the installation's inventory: the operator assigns
-- each to one tenant (`trustline numbers add`), and a tenant's queues can
-- answer only its own. Numbers queues already answered stay with their
-- tenants.
CREATE TABLE inbound_numbers (
    number      TEXT    PRIMARY KEY,
    tenant_id   BIGINT  NOT NULL REFERENCES tenants (id),
    assigned_at BIGINT  NOT NULL
);
CREATE INDEX inbound_numbers_tenant ON inbound_numbers (tenant_id);
INSERT INTO inbound_numbers (number, tenant_id, assigned_at) SELECT number, tenant_id, created_at FROM queues;
