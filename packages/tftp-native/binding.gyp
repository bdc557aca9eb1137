{
  "targets": [
    {
      "target_name": "tftp_sender",
      "sources": ["src/tftp_sender.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "libraries": ["-lpthread"]
    }
  ]
}
