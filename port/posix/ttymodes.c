/*
 * Terminal modes: opcode byte followed by a uint32 argument for opcodes
 * 1..159 (RFC 4254 section 8); 0 is TTY_OP_END; 128 and 129 are the input
 * and output baud rates.
 */
#include <string.h>
#include <unistd.h>

#include "nanossh.h"
#include "ttymodes.h"

enum { FL_I, FL_O, FL_C, FL_L };

static const struct { uint8_t op; int idx; } cc_ops[] = {
    { 1, VINTR }, { 2, VQUIT }, { 3, VERASE }, { 4, VKILL }, { 5, VEOF },
    { 6, VEOL }, { 7, VEOL2 }, { 8, VSTART }, { 9, VSTOP }, { 10, VSUSP },
    { 12, VREPRINT }, { 13, VWERASE }, { 14, VLNEXT }, { 18, VDISCARD },
};

static const struct { uint8_t op; uint8_t which; tcflag_t bit; } flag_ops[] = {
    { 30, FL_I, IGNPAR }, { 31, FL_I, PARMRK }, { 32, FL_I, INPCK },
    { 33, FL_I, ISTRIP }, { 34, FL_I, INLCR }, { 35, FL_I, IGNCR },
    { 36, FL_I, ICRNL }, { 37, FL_I, IUCLC }, { 38, FL_I, IXON },
    { 39, FL_I, IXANY }, { 40, FL_I, IXOFF }, { 41, FL_I, IMAXBEL },
    { 42, FL_I, IUTF8 },
    { 50, FL_L, ISIG }, { 51, FL_L, ICANON }, { 52, FL_L, XCASE },
    { 53, FL_L, ECHO }, { 54, FL_L, ECHOE }, { 55, FL_L, ECHOK },
    { 56, FL_L, ECHONL }, { 57, FL_L, NOFLSH }, { 58, FL_L, TOSTOP },
    { 59, FL_L, IEXTEN }, { 60, FL_L, ECHOCTL }, { 61, FL_L, ECHOKE },
    { 62, FL_L, PENDIN },
    { 70, FL_O, OPOST }, { 71, FL_O, OLCUC }, { 72, FL_O, ONLCR },
    { 73, FL_O, OCRNL }, { 74, FL_O, ONOCR }, { 75, FL_O, ONLRET },
    { 92, FL_C, PARENB }, { 93, FL_C, PARODD },
};

static const struct { uint32_t baud; speed_t speed; } speeds[] = {
    { 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
    { 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
    { 460800, B460800 }, { 921600, B921600 },
};

static tcflag_t *flags_of(struct termios *t, int which)
{
    switch (which) {
    case FL_I: return &t->c_iflag;
    case FL_O: return &t->c_oflag;
    case FL_C: return &t->c_cflag;
    default: return &t->c_lflag;
    }
}

static void set_speed(struct termios *t, uint8_t op, uint32_t baud)
{
    size_t i;
    for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
        if (speeds[i].baud == baud) {
            if (op == 128)
                cfsetispeed(t, speeds[i].speed);
            else
                cfsetospeed(t, speeds[i].speed);
        }
}

static void apply_one(struct termios *t, uint8_t op, uint32_t arg)
{
    size_t i;
    for (i = 0; i < sizeof(cc_ops) / sizeof(cc_ops[0]); i++)
        if (cc_ops[i].op == op) {
            /* 255 means "not set" on the wire; _POSIX_VDISABLE here. */
            t->c_cc[cc_ops[i].idx] = arg == 255 ? _POSIX_VDISABLE : (cc_t)arg;
            return;
        }
    for (i = 0; i < sizeof(flag_ops) / sizeof(flag_ops[0]); i++)
        if (flag_ops[i].op == op) {
            tcflag_t *f = flags_of(t, flag_ops[i].which);
            if (arg)
                *f |= flag_ops[i].bit;
            else
                *f &= ~flag_ops[i].bit;
            return;
        }
    if (op == 90 || op == 91) {   /* CS7, CS8 */
        if (arg) {
            t->c_cflag &= ~CSIZE;
            t->c_cflag |= op == 90 ? CS7 : CS8;
        }
    } else if (op == 128 || op == 129) {
        set_speed(t, op, arg);
    }
}

int ttymodes_apply(struct termios *t, const uint8_t *modes, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        uint8_t op = modes[pos++];
        uint32_t arg;
        if (op == 0 || op >= 160)
            return 0;
        if (len - pos < 4)
            return NSSH_ERR_FORMAT;
        arg = (uint32_t)modes[pos] << 24 | (uint32_t)modes[pos + 1] << 16 |
              (uint32_t)modes[pos + 2] << 8 | modes[pos + 3];
        pos += 4;
        apply_one(t, op, arg);
    }
    return 0;
}
