"""Data access: one module per table (aggregate), and `dynamo` for what they share."""
