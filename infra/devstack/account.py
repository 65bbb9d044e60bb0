"""Where the embedded AWS keeps everything: moto's default account, one region."""

ACCOUNT_ID = "123456789012"  # moto's DEFAULT_ACCOUNT_ID
REGION = "us-east-1"
