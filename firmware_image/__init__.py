"""The speaker image: ``shopcrier-image base``, ``build`` and ``provision``.

Everything here runs rootless and without loop mounts: partitions are cut out
of the disk file with ``dd``, the FAT boot partition is edited with mtools,
the ext4 root with ``debugfs``, and the disk is put back together with
``sfdisk`` (see ``disk.py``); the amd64 base's GRUB is written into the MBR,
the gap before partition 1 and the FAT partition the same way (see
``bootloader.py``). The files that end up inside the image (units,
the first-boot script, the launcher) live in ``firmware_image/rootfs/``.
"""
