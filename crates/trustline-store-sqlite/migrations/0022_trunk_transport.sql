-- How SIP travels to and from a trunk's carrier: udp or tcp (tls is kept
-- for when the edge speaks it).
ALTER TABLE sip_trunks ADD COLUMN transport TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp', 'tls'));
