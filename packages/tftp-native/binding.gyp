{
  "targets": [
    {
      "target_name": "tftp_sender",
      "sources": [
        "src/tftp_sender.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-std=gnu11"
      ],
      "libraries": [
        "-lpthread"
      ]
    },
    {
      "target_name": "dhcp_socket",
      "sources": [
        "src/dhcp_socket.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-std=gnu11"
      ]
    },
    {
      "target_name": "open_beneath",
      "sources": [
        "src/open_beneath.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-std=gnu11"
      ]
    },
    {
      "target_name": "router_advertiser",
      "sources": [
        "src/router_advertiser.c"
      ],
      "cflags": [
        "-O2",
        "-Wall",
        "-Wextra",
        "-std=gnu11"
      ]
    }
  ]
}
