"""gunicorn's settings for this project, read by every `gunicorn` started in this folder
(the Docker image's CMD, tests/bench); the command line's options come on top.

Request bodies are taken from the socket 64 KiB at a time, the size in which Django reads
and stores uploads (its upload handlers' chunk_size; above FILE_UPLOAD_MAX_MEMORY_SIZE, into
a temporary file). gunicorn's own default reads a body of known length up to 1 MiB per
recv() and copies that buffer on every read the application makes: a 10 MB upload raised a
worker's peak memory by about 3.6 MB more than a 10 KB one, against 0.3 MB with 64 KiB
(issue 14; measured by tests/bench/uploads.py, checked by tests/test_gunicorn_config.py).
"""

from gunicorn.http.unreader import SocketUnreader

SocketUnreader.max_body_chunk = 64 * 1024
