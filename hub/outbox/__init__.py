"""The transactional outbox: deliveries written with the message, published at QoS 1, receipts back."""
