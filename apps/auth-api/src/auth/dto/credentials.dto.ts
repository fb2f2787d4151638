import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

/** Surrounding spaces are not part of an email; the rest of normalisation happens in the service. */
const TrimString = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Passwords are 8 to 128 characters (contract). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export class RegisterDto {
  @TrimString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;

  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password!: string;
}

/** Login checks shape only: a wrong but well-formed password is a 401, not a 400. */
export class LoginDto {
  @TrimString()
  @IsString()
  @Length(1, 320)
  email!: string;

  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class ChangePasswordDto {
  @IsString()
  @Length(1, 1024)
  currentPassword!: string;

  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  newPassword!: string;
}
