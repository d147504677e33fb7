#!/usr/bin/python3
"""lever's run files read back by decoders that share no code with lever.

Usage: independent_decoder.py CHECKPOINT_FILES_DRIVER

The driver writes a run directory into a temporary directory (events.jsonl, the TensorBoard event files
of a run and of its resumption from an earlier step, and a checkpoint) and prints as JSON what it wrote.
This script then reads:
  - the event file with python3-protobuf: the TFRecord framing with both masked CRC-32Cs checked by a
    pure-Python CRC-32C, each record parsed as a tensorflow.Event message whose classes are built from a
    descriptor written here with the public field numbers of tensorflow/core/util/event.proto and
    tensorflow/core/framework/summary.proto (no TensorFlow, no generated code): a file_version event,
    a SessionLog START event, then the scalars;
  - events.jsonl with the json module (the resumed run's lines replace the stopped run's later ones);
  - the checkpoint with numpy only: the commit record's CRC-32C of the safetensors file, then the header
    length, the JSON header and each tensor through np.frombuffer at its data_offsets.
Every value must equal what the driver printed (floats exactly, after rounding to float32 where the
format stores float32). Prints one line per file; exits 1 listing every mismatch.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

failures = []


reported = 0


def check(where, condition, message):
    if not condition:
        failures.append(f"{where}: {message}")
    return condition


def report(what, verdict):
    """One line per file: the verdict, or how many mismatches it added."""
    global reported
    new = len(failures) - reported
    reported = len(failures)
    print(f"{what}: {verdict}" if new == 0 else f"{what}: {new} mismatches")


# CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, table-driven.
CRC_TABLE = []
for byte in range(256):
    crc = byte
    for _ in range(8):
        crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    CRC_TABLE.append(crc)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = (crc >> 8) ^ CRC_TABLE[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def event_class():
    """tensorflow.Event built from a hand-written descriptor with event.proto's field numbers."""
    F = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="lever_test/event.proto", package="tensorflow", syntax="proto3")
    summary = proto.message_type.add(name="Summary")
    value = summary.nested_type.add(name="Value")
    value.field.add(name="node_name", number=7, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL, oneof_index=0)
    value.oneof_decl.add(name="value")
    summary.field.add(name="value", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".tensorflow.Summary.Value")
    session_log = proto.message_type.add(name="SessionLog")
    status = session_log.enum_type.add(name="SessionStatus")
    for name, number in (("STATUS_UNSPECIFIED", 0), ("START", 1), ("STOP", 2), ("CHECKPOINT", 3)):
        status.value.add(name=name, number=number)
    session_log.field.add(name="status", number=1, type=F.TYPE_ENUM, label=F.LABEL_OPTIONAL,
                          type_name=".tensorflow.SessionLog.SessionStatus")
    session_log.field.add(name="checkpoint_path", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    session_log.field.add(name="msg", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    event = proto.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL, oneof_index=0)
    event.field.add(name="graph_def", number=4, type=F.TYPE_BYTES, label=F.LABEL_OPTIONAL, oneof_index=0)
    event.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, oneof_index=0,
                    type_name=".tensorflow.Summary")
    event.field.add(name="session_log", number=6, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, oneof_index=0,
                    type_name=".tensorflow.SessionLog")
    event.oneof_decl.add(name="what")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    descriptor = pool.FindMessageTypeByName("tensorflow.Event")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.21
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def read_tfrecords(path):
    data = open(path, "rb").read()
    records, offset = [], 0
    while offset < len(data):
        where = f"{os.path.basename(path)} record {len(records) + 1}"
        if not check(where, len(data) - offset >= 12, "truncated length header"):
            break
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        check(where, length_crc == masked_crc32c(header), "masked CRC of the length does not match")
        payload = data[offset + 12:offset + 12 + length]
        if not check(where, len(payload) == length and offset + 16 + length <= len(data), "truncated record"):
            break
        (data_crc,) = struct.unpack("<I", data[offset + 12 + length:offset + 16 + length])
        check(where, data_crc == masked_crc32c(payload), "masked CRC of the data does not match")
        records.append(payload)
        offset += 16 + length
    return records


def as_float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def check_tfevents(expected):
    path = expected["path"]
    check("tfevents", re.fullmatch(r"events\.out\.tfevents\.\d{10}\..+", os.path.basename(path)),
          f"file name {os.path.basename(path)} is not TensorBoard's events.out.tfevents.<time>.<host>")
    Event = event_class()
    events = []
    for payload in read_tfrecords(path):
        event = Event()
        event.ParseFromString(payload)
        events.append(event)
    scalars = expected["scalars"]
    if not check("tfevents", len(events) == 2 + len(scalars), f"{len(events)} events, expected {2 + len(scalars)}"):
        return
    check("tfevents", events[0].WhichOneof("what") == "file_version" and events[0].file_version == "brain.Event:2",
          f"first event is not file_version brain.Event:2: {events[0]}")
    start = events[1]
    check("tfevents", start.WhichOneof("what") == "session_log" and start.session_log.status == 1 and
          start.step == expected["start_step"] and start.wall_time > 1.7e9 and not start.session_log.msg,
          f"second event is not a SessionLog START at step {expected['start_step']}: {start}")
    for event, want in zip(events[2:], scalars):
        where = f"tfevents step {want['step']}"
        check(where, event.step == want["step"], f"step {event.step}")
        check(where, event.wall_time == want["wall_time"], f"wall_time {event.wall_time!r} vs {want['wall_time']!r}")
        check(where, event.WhichOneof("what") == "summary", "no summary")
        got = {v.tag: v.simple_value for v in event.summary.value}
        wanted = {tag: as_float32(v) for tag, v in want["values"].items()}
        check(where, got == wanted, f"values {got} vs {wanted}")
    report(f"tfevents: {len(events)} events in {os.path.basename(path)}", "CRCs and values match")


def check_jsonl(expected):
    lines = open(expected["jsonl"], encoding="utf-8").read().splitlines()
    check("events.jsonl", len(lines) == len(expected["jsonl_scalars"]), f"{len(lines)} lines")
    for line, want in zip(lines, expected["jsonl_scalars"]):
        row = json.loads(line)
        check("events.jsonl", list(row)[:2] == ["step", "wall_time"], f"line does not start with step, wall_time: {line}")
        wanted = {"step": want["step"], "wall_time": want["wall_time"], **want["values"]}
        check("events.jsonl", row == wanted, f"{row} vs {wanted}")
    report(f"events.jsonl: {len(lines)} lines", "match")


NUMPY_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U64": "<u8", "U8": "u1"}


def check_checkpoint(expected):
    want = expected["checkpoint"]
    record = json.load(open(want["record"], encoding="utf-8"))
    data = open(want["tensors_file"], "rb").read()
    where = os.path.basename(want["tensors_file"])
    check(where, record["format"] == "lever.checkpoint" and record["version"] == 1, f"record format {record}")
    check(where, record["step"] == want["step"] and record["wall_time"] == want["wall_time"], "step or wall_time")
    check(where, record["config"] == want["config"] and record["extra"] == want["extra"], "config or extra")
    check(where, record["tensors_file"] == where, f"record names {record['tensors_file']}")
    check(where, record["tensors_bytes"] == len(data), f"{len(data)} bytes, record says {record['tensors_bytes']}")
    check(where, record["tensors_crc32c"] == crc32c(data), "CRC-32C differs from the commit record's")
    index = json.load(open(os.path.join(want["directory"], "checkpoint"), encoding="utf-8"))
    check("checkpoint index", index["latest_step"] == want["step"], f"{index}")

    # numpy only, as docs/checkpoints.md shows.
    header_length = int(np.frombuffer(data[:8], dtype="<u8")[0])
    check(where, header_length % 8 == 0, f"header length {header_length} is not a multiple of 8")
    header = json.loads(data[8:8 + header_length].decode("utf-8"))
    buffer = data[8 + header_length:]
    metadata = header.pop("__metadata__", {})
    check(where, metadata == {"format": "lever.checkpoint", "step": str(want["step"])}, f"metadata {metadata}")
    arrays = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arrays[name] = np.frombuffer(buffer[begin:end], dtype=NUMPY_DTYPES[info["dtype"]]).reshape(info["shape"])
        check(where, begin % np.dtype(NUMPY_DTYPES[info["dtype"]]).itemsize == 0, f"'{name}' is not aligned")
    check(where, sum(a.nbytes for a in arrays.values()) == len(buffer), "tensors do not cover the buffer")
    check(where, "global_step" in arrays and arrays["global_step"].shape == () and
          int(arrays["global_step"]) == want["step"], "global_step")
    arrays.pop("global_step", None)
    check(where, set(arrays) == set(want["tensors"]), f"names {sorted(arrays)} vs {sorted(want['tensors'])}")
    for name, t in want["tensors"].items():
        if name not in arrays:
            continue
        a = arrays[name]
        check(where, header[name]["dtype"] == t["dtype"], f"'{name}' dtype {header[name]['dtype']} vs {t['dtype']}")
        check(where, list(a.shape) == t["shape"], f"'{name}' shape {list(a.shape)} vs {t['shape']}")
        check(where, a.ravel().tolist() == t["values"], f"'{name}' values {a.ravel().tolist()} vs {t['values']}")
    for slot in ("optimizer/dense/kernel/m", "optimizer/dense/kernel/v", "optimizer/iterations", "rng/data",
                 "model/dense/kernel"):
        check(where, slot in arrays, f"no '{slot}'")
    report(f"checkpoint: {where}, {len(arrays)} tensors and the commit record (CRC-32C {record['tensors_crc32c']:#010x})",
           "match")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    check("crc32c", crc32c(b"123456789") == 0xE3069283, "the script's CRC-32C fails its check value")
    with tempfile.TemporaryDirectory() as directory:
        run = subprocess.run([sys.argv[1], directory], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"driver failed ({run.returncode}): {run.stderr}")
        expected = json.loads(run.stdout)
        for tfevents in expected["tfevents_files"]:
            check_tfevents(tfevents)
        check_jsonl(expected)
        check_checkpoint(expected)
    if failures:
        print(f"{len(failures)} mismatches:")
        for failure in failures:
            print("  " + failure)
        sys.exit(1)
    print("all files read back by independent decoders")


if __name__ == "__main__":
    main()
