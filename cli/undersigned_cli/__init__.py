"""`undersigned`: the organisers' command-line tool. It talks HTTP to the admin API of a
deployed stack (SigV4-signed with the caller's AWS credentials) or of the local stack.

Kept out of the Lambda layer (it lives beside `shared/`, not in it)."""
