# The incident, plus a process on the host holding a guest LV open: that LV must be reported, never forced.
# lab-disks: lun
make_guest_vg guestvg "root data"
cat > /etc/systemd/system/hold-guest-lv.service <<'UNIT'
[Unit]
Description=Hold a guest LV open (lab scenario open-guest-lv)
[Service]
ExecStart=/bin/sh -c 'while [ ! -e /dev/guestvg/data ]; do sleep 1; done; exec sleep infinity < /dev/guestvg/data'
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable hold-guest-lv.service >/dev/null 2>&1
